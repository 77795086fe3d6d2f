"""Kinds of joint decision and the quorum each side must reach for them.

Every association starts with four (pricing, which sets an offering's price; a schedule;
an appraisal; a policy), created the first time anything asks for the types, so a new
association has them without a migration step. Administrators change the quorum per side:
a side with quorum 0 is not asked; at least one side always is.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from commonground.core.errors import PermissionDenied, ValidationFailed
from commonground.tenancy import audit, permissions
from commonground.tenancy.models import Association

from ..models import DecisionStatus, DecisionType, Effect

MAX_QUORUM = 20

# key, name, effect, description
DEFAULT_TYPES: tuple[tuple[str, str, str, str], ...] = (
    ("pricing", "Pricing of an offering", Effect.OFFERING_PRICE,
     "Free, member price or one price for everyone: the price changes only when both sides "
     "have signed."),
    ("schedule", "Schedule", Effect.NONE,
     "A schedule that both the mission side and the business side must agree to."),
    ("appraisal", "Staff appraisal", Effect.NONE,
     "An appraisal outcome that needs sign-off from both sides."),
    ("policy", "Policy or guideline", Effect.NONE,
     "A rule of how the two sides work together (the operations manual names the meeting)."),
)


def decision_types_ensure(*, association: Association) -> list[DecisionType]:
    """The association's decision types, the defaults created on first use. Safe when two
    requests race: the unique key makes the loser's insert a no-op."""
    have = set(DecisionType.objects.filter(association=association)
               .values_list("key", flat=True))
    missing = [t for t in DEFAULT_TYPES if t[0] not in have]
    if missing:
        DecisionType.objects.bulk_create(
            [DecisionType(association=association, key=k, name=n, effect=e, description=d)
             for k, n, e, d in missing], ignore_conflicts=True)
    return list(DecisionType.objects.filter(association=association).order_by("name"))


def _quorum(value: Any, name: str, errors: dict[str, list[str]]) -> int | None:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        errors[name] = ["a whole number"]
        return None
    if not 0 <= n <= MAX_QUORUM:
        errors[name] = [f"between 0 and {MAX_QUORUM}"]
        return None
    return n


@transaction.atomic
def decision_type_save(*, association: Association, name: str, quorum_mission: Any = 1,
                       quorum_business: Any = 1, effect: str = Effect.NONE,
                       description: str = "", hide_positions: bool = False,
                       key: str = "", decision_type: DecisionType | None = None,
                       actor: Any) -> DecisionType:
    """Create or change a decision type (administrators). Open decisions keep the quorum
    they were opened with; the new quorum applies to new decisions and new rounds."""
    roles = permissions.staff_roles_of(association=association, user=actor)
    if not permissions.is_admin(roles):
        raise PermissionDenied("Only administrators change decision types")
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["required"]
    elif len(name) > 200:
        errors["name"] = ["at most 200 characters"]
    if effect not in Effect.values:
        errors["effect"] = [f"one of {', '.join(Effect.values)}"]
    mission = _quorum(quorum_mission, "quorum_mission", errors)
    business = _quorum(quorum_business, "quorum_business", errors)
    if mission == 0 and business == 0:
        errors["quorum_mission"] = ["at least one side must sign: a quorum above 0"]
    key = slugify(key or (decision_type.key if decision_type else name))[:64]
    if not key:
        errors["key"] = ["letters or digits"]
    if errors:
        raise ValidationFailed("Please correct the highlighted fields", fields=errors)
    values = {"name": name, "effect": effect, "description": (description or "").strip(),
              "quorum_mission": mission, "quorum_business": business,
              "hide_positions": bool(hide_positions)}
    if decision_type is None:
        try:
            with transaction.atomic():
                made = DecisionType.objects.create(association=association, key=key, **values)
        except IntegrityError:
            raise ValidationFailed("Please correct the highlighted fields", fields={
                "key": [f"a decision type {key!r} exists already"]}) from None
        audit.record(association=association, action="decision_type.created", obj=made,
                     actor=actor, data={"key": key, **values})
        return made
    row = DecisionType.objects.select_for_update().get(pk=decision_type.pk)
    before = {k: getattr(row, k) for k in values}
    changed = {k: v for k, v in values.items() if before[k] != v}
    if "effect" in changed and row.decisions.filter(status=DecisionStatus.OPEN).exists():
        # An open price decision holds its offering's lock; its effect can't vanish under it.
        raise ValidationFailed("Please correct the highlighted fields", fields={
            "effect": ["decisions of this type are open: close them before changing the effect"]})
    if changed:
        for k, v in changed.items():
            setattr(row, k, v)
        row.save(update_fields=list(changed))
        audit.record(association=association, action="decision_type.updated", obj=row,
                     actor=actor, data={"from": {k: before[k] for k in changed},
                                        "to": changed})
    return row
