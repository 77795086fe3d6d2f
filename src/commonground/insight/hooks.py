"""How insight plugs into the apps below it, connected in ``InsightConfig.ready()``."""

from __future__ import annotations

from commonground.people import signals
from commonground.people.models import Person

from .models import Prediction


def on_merge_starting(sender, *, association, keep: Person, remove: Person, **kwargs) -> None:
    """Predictions are one per person and kind, and derived: the removed person's go before
    the merge moves rows (the kept person is scored again with the merged history at the
    next scoring run)."""
    Prediction.objects.filter(person_id=remove.pk).delete()


def connect() -> None:
    signals.person_merge_starting.connect(on_merge_starting, sender=Person,
                                          dispatch_uid="insight.merge_starting")
