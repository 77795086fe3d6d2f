"""API shapes for opportunities, candidates and invitations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from commonground.core.ids import MAX_ID

TypeName = Literal["speaker", "article", "mentor", "moderator", "chapter_host",
                   "expert_consultant", "committee_seat", "course", "other"]
StatusName = Literal["draft", "open", "filled", "closed"]
InvitationStatusName = Literal["suggested", "interested", "invited", "accepted", "declined",
                               "withdrawn", "completed"]
StaffEvent = Literal["suggest", "invite", "accept", "decline", "withdraw", "complete"]


class OpportunityIn(Schema):
    model_config = ConfigDict(extra="forbid")
    type: TypeName
    title: str = Field(..., max_length=200, examples=["Speaker for the spring conference"])
    description: str = Field("", max_length=20000)
    required_skills: list[int] = Field(default_factory=list, max_length=100,
                                       description="Taxonomy entry ids (skills)")
    nice_skills: list[int] = Field(default_factory=list, max_length=100)
    motivations: list[int] = Field(default_factory=list, max_length=100,
                                   description="Motivation entry ids it serves")
    interests: list[int] = Field(default_factory=list, max_length=100)
    required_text: str = Field("", max_length=500, description="Required skills in free text")
    nice_text: str = Field("", max_length=500)
    chapter_id: int | None = Field(None, ge=1, le=MAX_ID)
    location: str = Field("", max_length=200)
    remote: bool = False
    capacity: int = Field(1, ge=1, le=1000)
    starts_on: date | None = None
    ends_on: date | None = None
    effort_hours: str | int | None = Field(None, description="Decimal string, e.g. \"6.5\"")
    status: StatusName = "draft"


class OpportunityPatch(Schema):
    model_config = ConfigDict(extra="forbid")
    type: TypeName | None = None
    title: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=20000)
    required_skills: list[int] | None = Field(None, max_length=100)
    nice_skills: list[int] | None = Field(None, max_length=100)
    motivations: list[int] | None = Field(None, max_length=100)
    interests: list[int] | None = Field(None, max_length=100)
    required_text: str | None = Field(None, max_length=500)
    nice_text: str | None = Field(None, max_length=500)
    chapter_id: int | None = Field(None, ge=1, le=MAX_ID)
    location: str | None = Field(None, max_length=200)
    remote: bool | None = None
    capacity: int | None = Field(None, ge=1, le=1000)
    starts_on: date | None = None
    ends_on: date | None = None
    effort_hours: str | int | None = None
    status: StatusName | None = None


class OpportunityOut(Schema):
    id: int
    type: str
    title: str
    description: str
    status: str
    required_skills: list[int]
    nice_skills: list[int]
    motivations: list[int]
    interests: list[int]
    required_text: str
    nice_text: str
    chapter_id: int | None
    location: str
    remote: bool
    capacity: int
    places_taken: int
    starts_on: date | None
    ends_on: date | None
    effort_hours: str | None
    created_at: datetime


class CandidateOut(Schema):
    person_id: int
    name: str
    fit: float = Field(..., description="0–1")
    parts: dict[str, float] = Field(..., description="Each part of the fit, 0–1")
    reasons: list[str]
    gaps: list[str]


class CandidatesOut(Schema):
    opportunity_id: int
    pool: int = Field(..., description="People considered")
    excluded: int = Field(..., description="Already invited (any state), left out")
    semantic: bool
    weights: dict[str, float]
    seconds: float
    candidates: list[CandidateOut]


class InviteIn(Schema):
    model_config = ConfigDict(extra="forbid")
    person_id: int = Field(..., ge=1, le=MAX_ID)
    message: str = Field("", max_length=5000)


class InvitationActionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    action: StaffEvent
    note: str = Field("", max_length=300)
    occurred_on: date | None = Field(None, description="complete: the day it was done")
    hours: str | int | None = Field(None, description="complete: hours it took")


class InvitationOut(Schema):
    id: int
    opportunity_id: int
    person_id: int
    status: str
    fit: float | None
    reasons: list[str]
    gaps: list[str]
    message: str
    invited_at: datetime | None
    responded_at: datetime | None
    completed_at: datetime | None
    contribution_id: int | None
    updated_at: datetime
