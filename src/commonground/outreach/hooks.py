"""How outreach plugs into the apps below it, connected in ``OutreachConfig.ready()``."""

from __future__ import annotations

from commonground.people import signals
from commonground.people.models import Person

from .models import OutreachMember


def on_merge_starting(sender, *, association, keep: Person, remove: Person, **kwargs) -> None:
    """A list holds a person once: where both people are on the same list the kept
    person's entry (its group and contacts) stays and the removed one's goes; the merge
    moves the rest."""
    both = OutreachMember.objects.filter(person_id=keep.pk).values("outreach_id")
    OutreachMember.objects.filter(person_id=remove.pk, outreach_id__in=both).delete()


def connect() -> None:
    signals.person_merge_starting.connect(on_merge_starting, sender=Person,
                                          dispatch_uid="outreach.merge_starting")
