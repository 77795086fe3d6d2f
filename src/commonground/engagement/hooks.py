"""How engagement plugs into people (below it), connected in ``EngagementConfig.ready()``:
the profile's "Motivations & contributions" panel, the subject-access export's section, and
engagement's part in merging and erasing a person."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from commonground.people import extensions, signals
from commonground.people.extensions import AuditObjects
from commonground.people.models import Person

from . import privacy, selectors, services


def profile_panel(request: HttpRequest, person: Person) -> dict[str, Any]:
    return {"person": person, **selectors.person_engagement_summary(person=person)}


def profile_audit_objects(context: dict[str, Any]) -> AuditObjects:
    return {"contribution": [c.pk for c in context["contributions"]],
            "outcome": [o.pk for o in context["outcomes"]]}


def on_merge_starting(sender, *, association, keep: Person, remove: Person, **kwargs) -> None:
    """Before the merge moves rows: settle the ones that may exist once per person (a trait
    from one source, a group membership), so the generic move does not clash."""
    services.person_merge_prepare(association=association, keep=keep, remove=remove)


def on_merged(sender, *, association, keep: Person, **kwargs) -> None:
    """The kept person now holds both people's contributions and outcomes: their score
    is stale."""
    services.value_changed_send(association=association, person_ids=[keep.pk])


def on_erasing(sender, *, association, person: Person, **kwargs) -> None:
    services.person_engagement_erase(association=association, person=person)


def connect() -> None:
    extensions.profile_panels.register(extensions.ProfilePanel(
        key="engagement", template="engagement/_profile_panel.html", order=150,
        context=profile_panel, audit_objects=profile_audit_objects))
    extensions.data_sections.register(extensions.DataSection(
        key="engagement", export=privacy.engagement_export, order=150))
    signals.person_merge_starting.connect(on_merge_starting, sender=Person,
                                          dispatch_uid="engagement.merge_starting")
    signals.person_merged.connect(on_merged, sender=Person, dispatch_uid="engagement.merged")
    signals.person_erasing.connect(on_erasing, sender=Person, dispatch_uid="engagement.erasing")
