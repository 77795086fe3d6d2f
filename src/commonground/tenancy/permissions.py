"""Who may do what, by role and side: the one place the planning and negotiation apps ask.

A staff member's sides come from their roles: a mission role gives "mission", a business
role "business", a role on both sides gives both. The board reads everything, writes the
why-answers and comments; it does not edit objectives, propose or sign (seeds 000, 002:
the board asks *why*, staff decide *how*). Administrators may edit the plan.

Views get the roles from ``request.staff_roles`` (``decorators.staff_view``); the API and
the CLI call ``staff_roles_of`` for the acting user.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from .models import Association, Side, StaffMember

MISSION, BUSINESS = Side.MISSION.value, Side.BUSINESS.value
BOTH_SIDES = (MISSION, BUSINESS)


def staff_roles_of(*, association: Association, user) -> list[StaffMember]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return list(StaffMember.objects.filter(association=association, user=user)
                .select_related("role"))


def _roles(roles: Iterable[StaffMember]) -> list:
    return [s.role for s in roles]


def sides_of(roles: Iterable[StaffMember]) -> set[str]:
    """The sides a staff member can act for (board roles give none)."""
    out: set[str] = set()
    for role in _roles(roles):
        if role.is_board:
            continue
        out.update(BOTH_SIDES if role.side == Side.BOTH else (role.side,))
    return out


def is_admin(roles: Iterable[StaffMember]) -> bool:
    return any(r.is_admin for r in _roles(roles))


def is_board_only(roles: Iterable[StaffMember]) -> bool:
    """Only board roles: the read-and-comment view."""
    rs = _roles(roles)
    return bool(rs) and all(r.is_board for r in rs)


def may_write_why(roles: Iterable[StaffMember]) -> bool:
    rs = _roles(roles)
    return any(r.is_board or r.is_admin for r in rs)


def may_edit_plan(roles: Iterable[StaffMember]) -> bool:
    """Strategic plans and goals: administrators."""
    return is_admin(roles)


def may_edit_objective(roles: Iterable[StaffMember], objective_sides: Iterable[str]) -> bool:
    """An objective: administrators, or staff on one of the objective's sides."""
    roles = list(roles)
    return is_admin(roles) or bool(sides_of(roles) & set(_expand(objective_sides)))


def may_propose(roles: Iterable[StaffMember]) -> bool:
    """Propose a joint decision, schedule a meeting, add agenda items: any staff on a side."""
    return bool(sides_of(roles))


def may_sign(roles: Iterable[StaffMember], side: str) -> bool:
    return side in sides_of(roles)


def may_comment(roles: Iterable[StaffMember]) -> bool:
    return bool(list(roles))


def _expand(sides: Iterable[str]) -> list[str]:
    out: list[str] = []
    for s in sides:
        out.extend(BOTH_SIDES if s == Side.BOTH else (s,))
    return out


def staff_on_side(*, association: Association, side: str) -> Q:
    """A ``Q`` over ``StaffMember`` for the staff who can act for ``side`` (no board)."""
    return Q(association=association, role__is_board=False) & Q(
        role__side__in=[side, Side.BOTH])


# ---- the balance view (planning.balance)


def may_edit_balance(roles: Iterable[StaffMember], side: str) -> bool:
    """Which metrics sit on a side of the balance view: administrators, or staff on that
    side (each side says what shows its own performance)."""
    roles = list(roles)
    return is_admin(roles) or side in sides_of(roles)


def may_record_cost(roles: Iterable[StaffMember]) -> bool:
    """What an offering cost to deliver: administrators or business-side staff."""
    roles = list(roles)
    return is_admin(roles) or BUSINESS in sides_of(roles)


# ---- collaboration and partnerships (issue 13)


def may_govern_collaboration(roles: Iterable[StaffMember]) -> bool:
    """Commit the association to others: form a consortium, invite, accept or leave,
    choose an allocation rule, close a cost period, approve or revoke a data-sharing
    agreement. Administrators (the executive and the membership director by default)."""
    return is_admin(roles)


def may_work_collaboration(roles: Iterable[StaffMember]) -> bool:
    """The day-to-day of collaboration: record costs, contributions, revenues, assess the
    consortium's characteristics, run an open period's allocation: staff on a side."""
    roles = list(roles)
    return is_admin(roles) or bool(sides_of(roles))


def may_manage_partnerships(roles: Iterable[StaffMember]) -> bool:
    """Partnerships and their joint products (the partnership manager's work): staff on a
    side; the board reads them."""
    roles = list(roles)
    return is_admin(roles) or bool(sides_of(roles))
