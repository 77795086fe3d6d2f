"""Meetings and what they produce (``meetings``), joint decisions (``decisions``),
dual-input forms (``forms``) and the staff inbox (``meetings.InboxMessage``)."""

from .decisions import (
    Decision,
    DecisionOption,
    DecisionStatus,
    DecisionType,
    Effect,
    Position,
    Stance,
)
from .forms import DualForm, DualFormKind, DualFormStatus, DualInput
from .meetings import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    AgendaOrigin,
    Cadence,
    InboxMessage,
    ManualPage,
    ManualRevision,
    Meeting,
    MeetingParticipant,
    MeetingSeries,
    MeetingStatus,
)

__all__ = [
    "ActionItem", "ActionStatus", "AgendaItem", "AgendaOrigin", "Cadence", "Decision",
    "DecisionOption", "DecisionStatus", "DecisionType", "DualForm", "DualFormKind",
    "DualFormStatus", "DualInput", "Effect", "InboxMessage", "ManualPage", "ManualRevision",
    "Meeting", "MeetingParticipant", "MeetingSeries", "MeetingStatus", "Position", "Stance",
]
