"""API shapes for traits, outcomes, contributions and peer groups. Dates are ISO 8601;
hours a decimal string."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, Field, PlainSerializer

from commonground.core.ids import MAX_ID

TraitKindName = Literal["motivation", "skill", "interest"]
SourceName = Literal["member", "staff", "inferred"]
OutcomeKindName = Literal["client_won", "promotion", "new_skill", "certification", "connection",
                          "visibility", "insight", "problem_solved", "other"]
ContributionKindName = Literal[
    "talk", "article", "teaching", "mentoring", "moderating", "chapter_leadership", "committee",
    "referral", "corporate_intro", "programme_innovation", "peer_group", "discovered_demand",
    "forum_answer", "expert_consult", "volunteering", "other"]
StatusName = Literal["submitted", "verified", "rejected"]
OriginName = Literal["member", "staff", "inferred", "opportunity", "group"]
GroupStatusName = Literal["proposed", "approved", "declined", "closed"]
RefId = Annotated[int, Field(ge=1, le=MAX_ID)]


def _hours_text(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, int | float | Decimal):
        return repr(value) if isinstance(value, float) else str(value)
    return value


# The length limit sits on the text alone: on ``str | None`` pydantic applied it to a
# null too and raised a TypeError (a 500 for ``"hours": null``).
HoursIn = Annotated[Annotated[str, Field(max_length=16)] | None, BeforeValidator(_hours_text),
                    Field(None, examples=["2.5"])]
HoursOut = Annotated[Decimal | None, PlainSerializer(
    lambda d: None if d is None else f"{d:.2f}", return_type=str | None, when_used="always")]


class TraitOut(Schema):
    id: int
    kind: TraitKindName
    slug: str
    name: str
    description: str
    synonyms: list[str]
    framework: str
    order: int
    is_active: bool


class TraitIn(Schema):
    model_config = ConfigDict(extra="forbid")
    kind: TraitKindName
    name: str = Field(..., max_length=120)
    slug: str = Field("", max_length=64)
    description: str = Field("", max_length=300)
    synonyms: list[Annotated[str, Field(max_length=80)]] = Field(default_factory=list,
                                                                max_length=50)
    framework: str = Field("", max_length=10)
    order: int | None = Field(None, ge=0, le=32767)
    is_active: bool = True


class TraitPatch(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, max_length=120)
    description: str | None = Field(None, max_length=300)
    synonyms: list[Annotated[str, Field(max_length=80)]] | None = Field(None, max_length=50)
    order: int | None = Field(None, ge=0, le=32767)
    is_active: bool | None = None


class PersonTraitOut(Schema):
    trait_id: int
    kind: TraitKindName
    slug: str
    name: str
    strength: int
    source: SourceName
    explanation: str
    evidence: dict


class PersonTraitsIn(Schema):
    """Replace what staff hold for the person's traits of one kind."""
    model_config = ConfigDict(extra="forbid")
    kind: TraitKindName
    answers: dict[str, Annotated[int, Field(ge=1, le=5)]] = Field(
        ..., description="trait id → strength 1–5; traits left out are dropped",
        examples=[{"12": 5, "14": 3}])


class OutcomeOut(Schema):
    id: int
    person_id: int
    kind: OutcomeKindName
    title: str
    description: str
    occurred_on: date
    offering_id: int | None
    via_person_id: int | None
    reported_via: Literal["member", "staff"]
    created_at: datetime


class OutcomeIn(Schema):
    model_config = ConfigDict(extra="forbid")
    person_id: RefId
    kind: OutcomeKindName
    title: str = Field(..., max_length=200)
    occurred_on: date
    description: str = Field("", max_length=5000)
    offering_id: RefId | None = None
    via_person_id: RefId | None = None


class OutcomePatch(Schema):
    model_config = ConfigDict(extra="forbid")
    kind: OutcomeKindName | None = None
    title: str | None = Field(None, max_length=200)
    occurred_on: date | None = None
    description: str | None = Field(None, max_length=5000)
    offering_id: RefId | None = None
    via_person_id: RefId | None = None


class ContributionOut(Schema):
    id: int
    person_id: int
    kind: ContributionKindName
    title: str
    description: str
    occurred_on: date
    hours: HoursOut
    offering_id: int | None
    goal: str
    status: StatusName
    origin: OriginName
    origin_ref: str
    verified_at: datetime | None
    rejection_reason: str
    created_at: datetime


class ContributionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    person_id: RefId
    kind: ContributionKindName
    title: str = Field(..., max_length=200)
    occurred_on: date
    description: str = Field("", max_length=5000)
    hours: HoursIn = None
    offering_id: RefId | None = None
    goal: str = Field("", max_length=200)
    verified: bool = Field(False, description="Record it as verified at once")


class ContributionPatch(Schema):
    model_config = ConfigDict(extra="forbid")
    kind: ContributionKindName | None = None
    title: str | None = Field(None, max_length=200)
    occurred_on: date | None = None
    description: str | None = Field(None, max_length=5000)
    hours: HoursIn = None
    offering_id: RefId | None = None
    goal: str | None = Field(None, max_length=200)


class RejectIn(Schema):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(..., min_length=1, max_length=300)


class GroupOut(Schema):
    id: int
    name: str
    slug: str
    purpose: str
    forum: str
    status: GroupStatusName
    proposed_by_id: int
    decision_note: str
    decided_at: datetime | None
    created_at: datetime


class GroupIn(Schema):
    model_config = ConfigDict(extra="forbid")
    person_id: RefId = Field(..., description="The member proposing it (its first organiser)")
    name: str = Field(..., max_length=120)
    purpose: str = Field(..., max_length=2000)
    forum: str = Field("", max_length=120)


class GroupDecisionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    note: str = Field("", max_length=300)
    forum: str | None = Field(None, max_length=120)


class GroupMemberIn(Schema):
    model_config = ConfigDict(extra="forbid")
    person_id: RefId
