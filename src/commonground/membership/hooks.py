"""How membership plugs into people (the app below it), connected in ``MembershipConfig.ready()``:
the profile's memberships-and-invoices panel, the member list's plan and status menus, the
subject-access export's sections, and membership's part in merging and erasing a person."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from commonground.people import extensions, signals
from commonground.people.extensions import AuditObjects
from commonground.people.models import Person

from . import privacy, selectors, services
from .forms import JoinForm
from .models import Status


def profile_panel(request: HttpRequest, person: Person) -> dict[str, Any]:
    return {**selectors.person_memberships(person=person), "person": person,
            "join_form": JoinForm(person=person)}


def profile_audit_objects(context: dict[str, Any]) -> AuditObjects:
    return {"membership": [m.pk for m in context["memberships"]],
            "invoice": [i.pk for i in context["invoices"]]}


def status_choices() -> list[tuple[str, str]]:
    return list(Status.choices)


def on_merged(sender, *, association, keep: Person, **kwargs) -> None:
    """The kept person's copy of their current membership now counts both people's."""
    services.member_summary_refresh(association=association, person_ids=[keep.pk])


def on_erasing(sender, *, association, person: Person, **kwargs) -> None:
    services.billing_identity_erase(association=association, person=person)


def connect() -> None:
    extensions.profile_panels.register(extensions.ProfilePanel(
        key="membership", template="membership/_profile_panel.html", order=100,
        context=profile_panel, audit_objects=profile_audit_objects))
    extensions.list_choices.register(extensions.ListChoices("plans", selectors.plan_choices))
    extensions.list_choices.register(extensions.ListChoices("statuses", status_choices))
    extensions.data_sections.register(extensions.DataSection(
        key="memberships", export=privacy.memberships_export, order=100))
    extensions.data_sections.register(extensions.DataSection(
        key="invoices", export=privacy.invoices_export, order=110))
    signals.person_merged.connect(on_merged, sender=Person, dispatch_uid="membership.merged")
    signals.person_erasing.connect(on_erasing, sender=Person, dispatch_uid="membership.erasing")
