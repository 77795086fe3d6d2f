"""The invitation state machine, pure (no database): which event moves which state where.

::

    (none) ──suggest──▶ suggested ──invite──▶ invited ──accept──▶ accepted ──complete──▶ completed
       │                   │                    │  ▲                  │
       └──interest──▶ interested ──invite───────┘  │                  └─withdraw─▶ withdrawn
                           │         (staff invite an interested member)
                           └──────── decline ──▶ declined ◀── decline ── invited

``suggested`` is staff shortlisting a candidate; ``interested`` is the member raising a
hand from the portal (also from suggested). Staff invite either; the member accepts or
declines an invitation (staff may record the answer for them). Staff may withdraw an
open or accepted invitation. ``declined``, ``withdrawn`` and ``completed`` are final.
"Filled" belongs to the opportunity: it is filled when its accepted and completed
invitations reach its capacity.
"""

from __future__ import annotations

from commonground.core.errors import TransitionNotAllowed

from .models import InvitationStatus as S

START = ""  # no invitation yet

# (from, event) → to
TRANSITIONS: dict[tuple[str, str], str] = {
    (START, "suggest"): S.SUGGESTED,
    (START, "interest"): S.INTERESTED,
    (START, "invite"): S.INVITED,
    (S.SUGGESTED, "interest"): S.INTERESTED,
    (S.SUGGESTED, "invite"): S.INVITED,
    (S.SUGGESTED, "withdraw"): S.WITHDRAWN,
    (S.INTERESTED, "invite"): S.INVITED,
    (S.INTERESTED, "decline"): S.DECLINED,
    (S.INTERESTED, "withdraw"): S.WITHDRAWN,
    (S.INVITED, "accept"): S.ACCEPTED,
    (S.INVITED, "decline"): S.DECLINED,
    (S.INVITED, "withdraw"): S.WITHDRAWN,
    # An interested member who is invited again, or invited twice: nothing changes.
    (S.INVITED, "invite"): S.INVITED,
    (S.INVITED, "interest"): S.INVITED,
    (S.ACCEPTED, "complete"): S.COMPLETED,
    (S.ACCEPTED, "withdraw"): S.WITHDRAWN,
    (S.ACCEPTED, "accept"): S.ACCEPTED,
    (S.INTERESTED, "interest"): S.INTERESTED,
    (S.SUGGESTED, "suggest"): S.SUGGESTED,
    (S.COMPLETED, "complete"): S.COMPLETED,  # a retried completion
}

EVENTS = ("suggest", "interest", "invite", "accept", "decline", "withdraw", "complete")
FINAL = frozenset({S.DECLINED, S.WITHDRAWN, S.COMPLETED})
# Holding a place: these count toward the opportunity's capacity.
TAKING_PLACE = frozenset({S.ACCEPTED, S.COMPLETED})
# Open asks: staff wait for the member.
PENDING = frozenset({S.INVITED})
# Events the member may cause from the portal; the rest are staff's.
MEMBER_EVENTS = frozenset({"interest", "accept", "decline"})

WHY = {
    "complete": "only an accepted invitation can be completed",
    "accept": "only an open invitation can be accepted",
    "decline": "only an open invitation or interest can be declined",
    "invite": "this person already answered or finished",
    "interest": "this person already answered or finished",
    "suggest": "this person is already further along",
    "withdraw": "this invitation is already closed",
}


def next_status(current: str, event: str) -> str:
    """The state after ``event``, or ``TransitionNotAllowed`` with the reason."""
    if event not in EVENTS:
        raise TransitionNotAllowed(f"Unknown action {event!r}", fields={"action": ["unknown"]})
    to = TRANSITIONS.get((current or START, event))
    if to is None:
        label = S(current).label.lower() if current else "new"
        raise TransitionNotAllowed(f"Not possible for a {label} invitation: {WHY[event]}",
                                   fields={"status": [f"is {current or 'new'}"]})
    return to


def allowed_events(current: str) -> list[str]:
    """Events that change something from ``current`` (for the buttons a page shows)."""
    return [e for e in EVENTS
            if (to := TRANSITIONS.get((current or START, e))) is not None and to != current]
