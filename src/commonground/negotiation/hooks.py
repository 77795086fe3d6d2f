"""What negotiation plugs into the apps below it: the plan's traceability links
(``planning.trace``) for meetings and action items, and for decisions."""

from __future__ import annotations


def connect() -> None:
    # Each part registers its own providers (meetings: agenda and action items; decisions).
    from . import trace_decisions, trace_meetings

    trace_meetings.register()
    trace_decisions.register()
