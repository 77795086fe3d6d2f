"""Tiers (editable per association, with defaults) and the rule evaluation that finds
their candidates."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from commonground.engagement.models import ContributionKind
from commonground.tenancy import audit
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association

from .. import selectors
from ..models import LEADERSHIP_KINDS, Award, Nomination, NominationSource, NominationStatus, Tier
from .awards import award_issue
from .common import clean_text, fail

KINDS = {k for k, _ in ContributionKind.choices}
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")

DEFAULT_TIERS = (
    {"slug": "contributor", "name": "Contributor", "order": 10, "colour": "#2f6f4f",
     "description": "Gave their time or expertise to fellow members this year.",
     "min_contributions": 1, "min_kinds": 1, "window_months": 12, "required_kinds": []},
    {"slug": "leader", "name": "Leader", "order": 20, "colour": "#1f4e8c",
     "description": "Contributes again and again, in more than one way.",
     "min_contributions": 5, "min_kinds": 2, "window_months": 12, "required_kinds": []},
    {"slug": "star", "name": "Star", "order": 30, "colour": "#9a6b00",
     "description": "Among the association's most generous contributors, and a leader.",
     "min_contributions": 10, "min_kinds": 1, "window_months": 12,
     "required_kinds": list(LEADERSHIP_KINDS)},
)


def _int(data: dict, name: str, lo: int, hi: int) -> int:
    value = data.get(name)
    if isinstance(value, bool) or value in (None, ""):
        raise fail(**{name: "this field is required"})
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise fail(**{name: "must be a whole number"}) from None
    if not lo <= number <= hi:
        raise fail(**{name: f"must be between {lo} and {hi}"})
    return number


def _clean(association: Association, tier: Tier | None, data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    out["name"] = clean_text(data.get("name"), field="name", max_length=120, required=True)
    out["description"] = clean_text(data.get("description"), field="description",
                                    max_length=300, required=True)
    out["criteria"] = clean_text(data.get("criteria"), field="criteria", max_length=5000)
    slug = clean_text(data.get("slug") or "", field="slug", max_length=64) or slugify(out["name"])
    slug = slugify(slug)[:64]
    if not slug:
        raise fail(slug="needs letters or digits")
    clash = Tier.objects.filter(slug=slug)
    if tier is not None:
        clash = clash.exclude(pk=tier.pk)
        # The slug is in every issued badge's BadgeClass URL: it never changes once issued.
        if slug != tier.slug and Award.objects.filter(tier=tier).exists():
            raise fail(slug="badges were issued under this address; it cannot change")
    if clash.exists():
        raise fail(slug="another tier already uses this address")
    out["slug"] = slug
    out["min_contributions"] = _int(data, "min_contributions", 1, 1000)
    out["min_kinds"] = _int(data, "min_kinds", 1, len(KINDS))
    out["window_months"] = _int(data, "window_months", 1, 120)
    if out["min_kinds"] > out["min_contributions"]:
        raise fail(min_kinds="cannot exceed the number of contributions required")
    kinds = data.get("required_kinds") or []
    if isinstance(kinds, str):
        kinds = [k.strip() for k in kinds.split(",") if k.strip()]
    if not isinstance(kinds, list | tuple) or not all(isinstance(k, str) for k in kinds):
        raise fail(required_kinds="must be a list of contribution kinds")
    unknown = sorted(set(kinds) - KINDS)
    if unknown:
        raise fail(required_kinds="unknown kind: " + ", ".join(unknown[:5]))
    out["required_kinds"] = sorted(set(kinds))
    colour = data.get("colour") or "#2f6f4f"
    if not isinstance(colour, str) or not COLOUR.match(colour):
        raise fail(colour="a colour like #2f6f4f")
    out["colour"] = colour.lower()
    out["order"] = _int({"order": data.get("order", 100)}, "order", 0, 10_000)
    out["auto_award"] = bool(data.get("auto_award", False))
    out["is_active"] = bool(data.get("is_active", True))
    return out


@transaction.atomic
def tier_save(*, association: Association, tier: Tier | None = None, actor=None,
              **data: Any) -> Tier:
    """Create a tier or change one. The rule's numbers are validated (no empty rule: at
    least one contribution, one kind, one month)."""
    clean = _clean(association, tier, data)
    created = tier is None
    if tier is None:
        tier = Tier(association=association)
    for name, value in clean.items():
        setattr(tier, name, value)
    tier.save()
    audit.record(association=association, action="tier.created" if created else "tier.changed",
                 obj=tier, actor=actor, data={k: v for k, v in clean.items()
                                              if k not in ("criteria", "description")})
    return tier


@transaction.atomic
def tiers_install_defaults(*, association: Association, actor=None) -> list[Tier]:
    """Contributor, Leader and Star, unless the association already has tiers (idempotent)."""
    if Tier.objects.exists():
        return list(Tier.objects.all())
    return [tier_save(association=association, actor=actor, **spec) for spec in DEFAULT_TIERS]


@dataclass
class Evaluation:
    tiers: int = 0
    candidates: int = 0
    nominated: int = 0
    awarded: int = 0
    per_tier: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"tiers": self.tiers, "candidates": self.candidates, "nominated": self.nominated,
                "awarded": self.awarded, "per_tier": self.per_tier}


@transaction.atomic
def tiers_evaluate(*, association: Association, actor=None) -> Evaluation:
    """Run every active tier's rule over verified contributions. A candidate who does not
    hold the tier and has no open nomination for it is nominated (source "rule", waiting
    for staff approval) — or awarded directly for a tier set to ``auto_award``. Someone
    staff declined for a tier is not nominated again by the rule (staff may still
    nominate them). Running it twice adds nothing."""
    today = association_today(association)
    result = Evaluation()
    for tier in Tier.objects.filter(is_active=True).select_for_update():
        result.tiers += 1
        found = selectors.tier_candidates(tier=tier, today=today)
        held = set(Award.objects.filter(tier=tier, revoked_at__isnull=True)
                   .values_list("person_id", flat=True))
        seen = set(Nomination.objects.filter(tier=tier).filter(
            status__in=[NominationStatus.PENDING, NominationStatus.DECLINED])
            .values_list("person_id", flat=True))
        counts = {"candidates": len(found), "nominated": 0, "awarded": 0}
        people = selectors.people_by_id([c.person_id for c in found])
        for cand in found:
            person = people.get(cand.person_id)
            if person is None or cand.person_id in held or cand.person_id in seen:
                continue
            nomination = Nomination.objects.create(
                association=association, tier=tier, person=person, source=NominationSource.RULE,
                evidence=cand.evidence, reason=f"Found by the rule: {cand.summary}.")
            if tier.auto_award and person.email_key:
                award_issue(association=association, tier=tier, person=person, actor=actor,
                            nomination=nomination, narrative=cand.summary, locked=True)
                counts["awarded"] += 1
            else:
                counts["nominated"] += 1
        result.candidates += counts["candidates"]
        result.nominated += counts["nominated"]
        result.awarded += counts["awarded"]
        result.per_tier[tier.slug] = counts
    audit.record(association=association, action="tiers.evaluated", actor=actor,
                 object_type="association", object_id=association.pk, data=result.as_dict())
    return result
