"""API shapes for tiers, nominations, awards and experts."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from ninja import Schema
from pydantic import ConfigDict, Field

from commonground.core.ids import MAX_ID
from commonground.engagement.models import ContributionKind

KindName = Literal[tuple(k for k, _ in ContributionKind.choices)]  # type: ignore[valid-type]
Id = Field(..., ge=1, le=MAX_ID)


class TierIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(..., max_length=120, examples=["Leader"])
    description: str = Field(..., max_length=300)
    slug: str | None = Field(None, max_length=64)
    criteria: str = Field("", max_length=5000)
    min_contributions: int = Field(1, description="Verified contributions needed, 1–1000")
    min_kinds: int = Field(1, description="Of at least this many kinds")
    window_months: int = Field(12, description="Counted over the last N months, 1–120")
    required_kinds: list[KindName] = Field(default_factory=list, max_length=20,
                                           description="At least one contribution of these")
    auto_award: bool = False
    colour: str = Field("#2f6f4f", max_length=7)
    order: int = 100
    is_active: bool = True


class TierPatch(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, max_length=120)
    description: str | None = Field(None, max_length=300)
    slug: str | None = Field(None, max_length=64)
    criteria: str | None = Field(None, max_length=5000)
    min_contributions: int | None = None
    min_kinds: int | None = None
    window_months: int | None = None
    required_kinds: list[KindName] | None = Field(None, max_length=20)
    auto_award: bool | None = None
    colour: str | None = Field(None, max_length=7)
    order: int | None = None
    is_active: bool | None = None


class TierOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    criteria: str
    min_contributions: int
    min_kinds: int
    window_months: int
    required_kinds: list[str]
    auto_award: bool
    colour: str
    order: int
    is_active: bool
    rule_text: str


class EvaluationOut(Schema):
    tiers: int
    candidates: int
    nominated: int
    awarded: int
    per_tier: dict[str, dict[str, int]]


class NominationIn(Schema):
    model_config = ConfigDict(extra="forbid")
    tier: int = Id
    person: int = Id
    reason: str = Field(..., max_length=2000)


class DecisionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    note: str = Field("", max_length=300)


class NominationOut(Schema):
    id: int
    tier: int = Field(..., alias="tier_id")
    person: int = Field(..., alias="person_id")
    source: str
    status: str
    reason: str
    evidence: dict
    created_at: datetime
    decided_at: datetime | None
    decision_note: str


class AwardIn(Schema):
    model_config = ConfigDict(extra="forbid")
    tier: int = Id
    person: int = Id
    narrative: str = Field("", max_length=2000)


class RevokeIn(Schema):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(..., max_length=300)


class AwardOut(Schema):
    id: int
    uuid: UUID
    tier: int = Field(..., alias="tier_id")
    person: int = Field(..., alias="person_id")
    issued_at: datetime
    revoked_at: datetime | None
    revocation_reason: str
    assertion_url: str = Field(..., description="The Open Badges 2.0 hosted assertion")


class ExpertOut(Schema):
    id: int
    person: int = Field(..., alias="person_id")
    headline: str
    bio: str
    specialties: list[str]
    other_specialties: str
    availability: str
    status: str


class VetIn(Schema):
    model_config = ConfigDict(extra="forbid")
    status: Literal["vetted", "declined"]
    note: str = Field("", max_length=300)
