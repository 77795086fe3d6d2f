"""What negotiation plugs into the apps below it: the plan's traceability links
(``planning.trace``) for meetings and action items, and for decisions."""

from __future__ import annotations


def connect() -> None:
    # Each part registers its own providers (meetings: agenda and action items; decisions).
    from . import agenda_sources, trace_decisions, trace_meetings

    # The meetings part's agenda sources (negotiation.agenda); decisions adds its own.
    agenda_sources.register()
    trace_meetings.register()
    trace_decisions.register()
