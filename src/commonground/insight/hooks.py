"""How insight plugs into the apps below it, connected in ``InsightConfig.ready()``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from commonground.people import extensions, signals
from commonground.people.models import Person

from .models import ModelKind, Prediction


def on_merge_starting(sender, *, association, keep: Person, remove: Person, **kwargs) -> None:
    """Predictions are one per person and kind, and derived: the removed person's go before
    the merge moves rows (the kept person is scored again with the merged history at the
    next scoring run)."""
    Prediction.objects.filter(person_id=remove.pk).delete()


def profile_panel(request: HttpRequest, person: Person) -> dict[str, Any]:
    # Here, not at the top: hooks load in ready(), selectors' imports need the registry.
    from . import selectors

    prediction = selectors.prediction_of(person)
    # A non-member has no renewal to risk but may be a prospect: the same panel says how
    # likely they are to join, and why.
    prospect = (None if prediction is not None
                else selectors.prediction_of(person, kind=ModelKind.PROSPECT))
    return {"prediction": prediction, "prospect": prospect, "request": request,
            "scored_any": prediction is not None or selectors.current_version() is not None}


def connect() -> None:
    extensions.profile_panels.register(extensions.ProfilePanel(
        key="lapse_risk", template="insight/_profile_panel.html", order=155,
        context=profile_panel))
    signals.person_merge_starting.connect(on_merge_starting, sender=Person,
                                          dispatch_uid="insight.merge_starting")
