"""Shapes of the plan's API: plans, the board's answers, goals, objectives (with their
progress), comments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

Question = Literal["founded", "field", "future_wanted", "future_avoided", "ask_now"]
SideName = Literal["mission", "business", "both"]
VALUE = {"max_digits": 16, "decimal_places": 2}


class PlanIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(..., max_length=200, examples=["Plan 2027"])
    starts_on: date
    ends_on: date
    status: Literal["draft", "active", "closed"] = "active"


class PlanPatch(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, max_length=200)
    starts_on: date | None = None
    ends_on: date | None = None
    status: Literal["draft", "active", "closed"] | None = None


class PlanOut(Schema):
    id: int
    name: str
    starts_on: date
    ends_on: date
    status: str
    created_at: datetime


class AnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")
    question: Question
    text: str = Field(..., max_length=10_000)
    written_on: date | None = Field(None, description="The day the board agreed it; today "
                                                      "if left out")


class AnswerOut(Schema):
    id: int
    question: str
    question_text: str
    version: int
    text: str
    written_on: date
    written_by: str | None = Field(description="The author's email")
    created_at: datetime


class ProgressOut(Schema):
    state: str = Field(description="not_started, on_track, at_risk, off_track, achieved, "
                                   "missed")
    label: str
    flagged: bool
    expected: Decimal = Field(description="Where the straight line to the target is today")
    required_pace: Decimal | None = Field(description="Needed per 30 days to the deadline")
    pace: Decimal | None = Field(description="Achieved per 30 days since the start")
    projected: Decimal | None = Field(description="The value at the deadline at that pace")
    share: Decimal = Field(description="Of the way from the baseline to the target (1 = "
                                       "reached)")


class OwnerIn(Schema):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(..., max_length=254)
    side: Literal["mission", "business"]


class OwnerOut(Schema):
    user_id: int
    email: str
    side: str


class ObjectiveIn(Schema):
    model_config = ConfigDict(extra="forbid")
    goal_id: int = Field(..., ge=1)
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=10_000)
    metric: str = Field(..., max_length=80, description="A key of `GET /planning/metrics`",
                        examples=["membership.joins"])
    filters: dict[str, str] = Field(default_factory=dict, examples=[{"plan": "gold"}])
    starts_on: date | None = Field(None, description="Today if left out")
    deadline: date
    target: Decimal = Field(..., **VALUE)
    baseline: Decimal | None = Field(None, **VALUE, description=(
        "Left out: the KPI's value on the start date for a stock, 0 for a flow"))
    direction: Literal["up", "down"] = "up"
    sides: list[SideName] | None = Field(None, description="Left out: the owners' sides")
    owners: list[OwnerIn] = Field(default_factory=list)


class ObjectivePatch(Schema):
    model_config = ConfigDict(extra="forbid")
    goal_id: int | None = Field(None, ge=1)
    title: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=10_000)
    metric: str | None = Field(None, max_length=80)
    filters: dict[str, str] | None = None
    starts_on: date | None = None
    deadline: date | None = None
    target: Decimal | None = Field(None, **VALUE)
    baseline: Decimal | None = Field(None, **VALUE)
    direction: Literal["up", "down"] | None = None
    sides: list[SideName] | None = None
    owners: list[OwnerIn] | None = None


class StatusIn(Schema):
    model_config = ConfigDict(extra="forbid")
    status: Literal["active", "achieved", "missed", "dropped"]


class ObjectiveOut(Schema):
    id: int
    goal_id: int
    title: str
    description: str
    metric: str
    metric_label: str | None
    filters: dict[str, Any]
    starts_on: date
    deadline: date
    baseline: Decimal
    target: Decimal
    direction: str
    status: str
    sides: list[str]
    owners: list[OwnerOut]
    current_value: Decimal | None
    current_on: date | None
    progress: ProgressOut


class GoalIn(Schema):
    model_config = ConfigDict(extra="forbid")
    strategic_plan_id: int = Field(..., ge=1)
    title: str = Field(..., max_length=200, examples=["+10 % members by December"])
    description: str = Field("", max_length=10_000)
    deadline: date
    position: int | None = Field(None, ge=0, le=10_000)


class GoalPatch(Schema):
    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=10_000)
    deadline: date | None = None
    position: int | None = Field(None, ge=0, le=10_000)


class GoalOut(Schema):
    id: int
    strategic_plan_id: int
    title: str
    description: str
    deadline: date
    position: int
    objectives: list[ObjectiveOut] | None = Field(
        None, description="With `GET /planning/plans/{id}` and `GET /planning/goals/{id}`")


class PlanTreeOut(PlanOut):
    answers: list[AnswerOut] = Field(description="The current version of each answered "
                                                 "question")
    goals: list[GoalOut]


class CommentIn(Schema):
    model_config = ConfigDict(extra="forbid")
    subject: Literal["plan", "answer", "goal", "objective"]
    subject_id: int = Field(..., ge=1)
    body: str = Field(..., max_length=10_000)


class CommentOut(Schema):
    id: int
    subject: str
    subject_id: int
    author: str | None
    body: str
    created_at: datetime
