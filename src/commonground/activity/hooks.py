"""How activity plugs into people (the app below it), connected in ``ActivityConfig.ready()``:
the profile's Member 360 panel, and activity's part when people gain emails, are merged or
are deleted."""

from __future__ import annotations

from django.db.models.signals import pre_delete
from django.http import HttpRequest

from commonground.people import extensions, signals
from commonground.people.models import Person

from .identity.services import email_hash, identities_link
from .locks import people_hold_exclusive
from .services.backfill import activities_backfill_emails
from .views_360 import member360_context


def profile_panel(request: HttpRequest, person: Person) -> dict:
    return member360_context(request, person)


def on_emails_added(sender, *, association, people, **kwargs) -> None:
    """Activities feeds left unmatched under these emails join the people's timelines."""
    activities_backfill_emails(association=association, people=people)


def on_merge_starting(sender, *, association, **kwargs) -> None:
    """Before any person row is locked: activity writes in flight finish (what they wrote
    for the removed person is then moved by the merge)."""
    people_hold_exclusive(association_id=association.pk)


def on_merged(sender, *, association, keep: Person, former_emails: list[str], **kwargs) -> None:
    """Emails the merged person no longer has as their address stay theirs as identities
    (with their hashes, for hashed feeds; an identity someone else holds stays with them),
    then activity waiting under the kept email joins the timeline."""
    if former_emails:
        identities_link(association=association, links=[
            (keep.pk, kind, value) for k in former_emails
            for kind, value in (("email", k), ("hash", email_hash(k)))])
    activities_backfill_emails(association=association, people=[(keep.pk, keep.email_key)])


def on_person_removing(sender, instance: Person, **kwargs) -> None:
    """An ORM delete of a person waits for activity writes in flight (see ``locks``); the
    cascade's DELETE of their activity runs after this, so it finds what they wrote."""
    people_hold_exclusive(association_id=instance.association_id)


def connect() -> None:
    extensions.profile_panels.register(extensions.ProfilePanel(
        key="activity", template="activity/_timeline_profile.html", order=200,
        context=profile_panel))
    signals.person_emails_added.connect(on_emails_added, sender=Person,
                                        dispatch_uid="activity.emails_added")
    signals.person_merge_starting.connect(on_merge_starting, sender=Person,
                                          dispatch_uid="activity.merge_starting")
    signals.person_merged.connect(on_merged, sender=Person, dispatch_uid="activity.merged")
    pre_delete.connect(on_person_removing, sender=Person, dispatch_uid="activity.person_removing")
