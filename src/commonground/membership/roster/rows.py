"""Cell helpers, limits and shared types of the roster import.

The engine cleans whole chunks column-wise with ``frame.ChunkCleaner``. The row-by-row
statement of the same rules and wording lives in ``tests/_import_reference.py``, where
``tests/test_import_vector.py`` checks with hypothesis that both agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from commonground.people.models import Person

TEXT_FIELDS = ("first_name", "last_name", "full_name", "email", "phone", "address_line1",
               "address_line2", "city", "region", "postal_code", "country", "chapter",
               "organisation", "external_id", "plan")
LIMITS = {f.name: f.max_length for f in Person._meta.concrete_fields
           if getattr(f, "max_length", None)}
LIMITS.update({"organisation": 200, "chapter": 120, "plan": 120, "full_name": 200, "country": 100})


class RowError(ValueError):
    """A row that cannot be imported; the message is the reason in the errors file."""


def cell_text(cell: Any) -> str:
    if type(cell) is str:
        return cell.strip()
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == time(0) else cell.isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell).strip()


@dataclass
class PlanRef:
    id: int
    name: str
    slug: str
    kind: str
    term_months: int  # 0: lifetime
    grace_days: int  # the grace in effect (the plan's, or its term's default)
    window_days: int  # the renewal window in effect, likewise
