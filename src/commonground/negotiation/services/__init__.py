"""Every write of the negotiation app: meetings, agendas, minutes and action items
(``meetings``), the staff inbox and circulation (``inbox``), the operations manual
(``manual``), joint decisions (``decisions``) and dual-input forms (``forms``).

Callers import from here; the modules split the writes by what they change.
"""

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
