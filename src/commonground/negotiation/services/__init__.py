"""Every write of the negotiation app: meetings, agendas, minutes and action items
(``meetings``), the staff inbox and circulation (``inbox``), the operations manual
(``manual``), joint decisions (``decisions``) and dual-input forms (``forms``).

Callers import from here; the modules split the writes by what they change.
"""
