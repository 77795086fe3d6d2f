"""How collaboration plugs into the apps below it, connected in ``CollaborationConfig.ready()``."""

from __future__ import annotations

from commonground.people import signals
from commonground.people.models import Person

from .models import SharingConsent


def on_merge_starting(sender, *, association, keep: Person, remove: Person, **kwargs) -> None:
    """A member consents to an agreement once. Where both people answered the same
    agreement, the live consent wins (a yes given by either still stands; a withdrawal on
    both stays withdrawn, the kept person's); the merge moves the removed person's others."""
    kept = {c.agreement_id: c for c in SharingConsent.objects.filter(person_id=keep.pk)}
    for consent in SharingConsent.objects.filter(person_id=remove.pk,
                                                 agreement_id__in=list(kept)):
        mine = kept[consent.agreement_id]
        if mine.withdrawn_at is not None and consent.withdrawn_at is None:
            mine.delete()  # the removed person's live yes moves to the kept person
        else:
            consent.delete()


def connect() -> None:
    signals.person_merge_starting.connect(on_merge_starting, sender=Person,
                                          dispatch_uid="collaboration.merge_starting")
