"""How next-best offering plugs into people: the profile panel, the subject-access export
and the merge, connected in ``RecommendationsConfig.ready()``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from commonground.people import extensions, signals
from commonground.people.models import Person

from .models import Recommendation
from .selectors import is_member, reason_text, suggestions_for


def profile_panel(request: HttpRequest, person: Person) -> dict[str, Any]:
    return {"suggestions": suggestions_for(person), "is_member": is_member(person)}


def export(person: Person) -> tuple[Any, dict[str, list[int]]]:
    recs = list(Recommendation.objects.filter(person=person).select_related("offering", "because")
                .order_by("rank"))
    return [{"rank": r.rank, "offering": r.offering.name, "reason": reason_text(r)}
            for r in recs], {}


def on_merge_starting(sender, *, association, keep: Person, remove: Person, **kwargs) -> None:
    """Suggestions are derived: the removed person's go; the kept person's are recomputed
    over the merged history at the next run."""
    Recommendation.objects.filter(person_id=remove.pk).delete()


def connect() -> None:
    signals.person_merge_starting.connect(on_merge_starting, sender=Person,
                                          dispatch_uid="recommendations.merge_starting")
    extensions.profile_panels.register(extensions.ProfilePanel(
        key="next_best_offering", template="recommendations/_profile_panel.html", order=160,
        context=profile_panel))
    extensions.data_sections.register(extensions.DataSection(
        key="suggested_offerings", export=export, order=320))
