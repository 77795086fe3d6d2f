"""Every write of the negotiation app: meetings, agendas, minutes and action items
(``meetings``), the staff inbox and circulation (``inbox``), the operations manual
(``manual``), joint decisions (``decisions``) and dual-input forms (``forms``).

Callers import from here; the modules split the writes by what they change.
"""

# Meetings (helper C): series, scheduling, agenda, minutes, circulation; the staff inbox.
from .actions import (  # noqa: E402
    action_item_add as action_item_add,
)
from .actions import (
    action_item_complete as action_item_complete,
)
from .actions import (
    action_item_drop as action_item_drop,
)
from .actions import (
    action_item_update as action_item_update,
)

# Joint decisions and dual-input forms (the decisions part).
from .decision_types import decision_type_save as decision_type_save
from .decision_types import decision_types_ensure as decision_types_ensure
from .decisions import decision_close as decision_close
from .decisions import decision_propose as decision_propose
from .decisions import decision_reopen as decision_reopen
from .decisions import position_submit as position_submit
from .forms import dual_form_complete as dual_form_complete
from .forms import dual_form_create as dual_form_create
from .forms import dual_input_submit as dual_input_submit

# Meetings (helper C), continued: the staff inbox, meetings and agendas.
from .inbox import (  # noqa: E402
    inbox_mark_read as inbox_mark_read,
)
from .inbox import (
    inbox_send as inbox_send,
)
from .manual import (  # noqa: E402
    manual_page_save as manual_page_save,
)
from .manual import (
    manual_revise as manual_revise,
)
from .meetings import (  # noqa: E402
    agenda_draft as agenda_draft,
)
from .meetings import (
    agenda_item_add as agenda_item_add,
)
from .meetings import (
    agenda_item_remove as agenda_item_remove,
)
from .meetings import (
    meeting_cancel as meeting_cancel,
)
from .meetings import (
    meeting_circulate as meeting_circulate,
)
from .meetings import (
    meeting_schedule as meeting_schedule,
)
from .meetings import (
    meeting_schedule_next as meeting_schedule_next,
)
from .meetings import (
    minutes_record as minutes_record,
)
from .meetings import (
    series_save as series_save,
)
