"""What the meetings, inbox and manual services share: text checks and the acting user."""

from __future__ import annotations

from typing import Any

# Re-exported: the services of this app import them from here.
from commonground.core.cleaning import actor_user as actor_user
from commonground.core.cleaning import clean_text as clean_text
from commonground.core.cleaning import raise_if as raise_if
from commonground.core.errors import PermissionDenied
from commonground.tenancy import permissions
from commonground.tenancy.models import Association


def require_side_staff(association: Association, actor: Any, what: str) -> None:
    """Meetings, agendas, minutes and action items are written by staff on a side
    (``permissions.may_propose``) or administrators; the board reads and comments. No
    actor is the system (the demo seed, a task), which may."""
    user = actor_user(actor)
    if user is None:
        return
    roles = permissions.staff_roles_of(association=association, user=user)
    if not (permissions.may_propose(roles) or permissions.is_admin(roles)):
        raise PermissionDenied(f"Only staff on the mission or the business side can {what}")
