"""How segments plug into the apps below them, connected in ``SegmentsConfig.ready()``."""

from __future__ import annotations

from commonground.people import signals
from commonground.people.models import Person

from .models import SegmentMember


def on_merge_starting(sender, *, association, keep: Person, remove: Person, **kwargs) -> None:
    """A static list holds a person once: where both people are on the same list the kept
    person's entry stays and the removed one's goes; the merge moves the rest."""
    both = SegmentMember.objects.filter(person_id=keep.pk).values("segment_id")
    SegmentMember.objects.filter(person_id=remove.pk, segment_id__in=both).delete()


def connect() -> None:
    signals.person_merge_starting.connect(on_merge_starting, sender=Person,
                                          dispatch_uid="segments.merge_starting")
