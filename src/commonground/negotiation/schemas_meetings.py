"""Shapes of the meetings API: series, meetings, agenda items, action items, the inbox and
the operations manual."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from commonground.core.ids import MAX_ID

SideName = Literal["mission", "business"]
CadenceName = Literal["monthly", "quarterly", "trimester", "half_year"]
Id = Field(..., ge=1, le=MAX_ID)


class ParticipantIn(Schema):
    model_config = ConfigDict(extra="forbid")
    user_id: int = Id
    side: SideName


class ParticipantOut(Schema):
    user_id: int
    email: str
    side: str
    attended: bool | None


class SeriesIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(..., max_length=200, examples=["Regulation meeting"])
    cadence: CadenceName = "trimester"
    purpose: str = Field("", max_length=20_000)
    participants: list[ParticipantIn] = Field(
        ..., max_length=100, description="Standing participants: both sides, each once")


class SeriesOut(Schema):
    id: int
    name: str
    cadence: str
    purpose: str
    participants: list[dict]


class MeetingIn(Schema):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(..., max_length=200, examples=["Regulation meeting, spring"])
    starts_at: datetime = Field(description="ISO 8601; without an offset, the association's "
                                            "time zone")
    location: str = Field("", max_length=200)
    series_id: int | None = Field(None, ge=1, le=MAX_ID)
    participants: list[ParticipantIn] = Field(
        default_factory=list, max_length=100,
        description="At least one per side; empty to invite a series' standing participants")


class AgendaItemOut(Schema):
    id: int
    position: int
    title: str
    body: str
    origin: str = Field(description="data, carried or manual")
    origin_key: str
    objective_id: int | None
    action_item_id: int | None
    decision_id: int | None
    notes: str


class ActionItemOut(Schema):
    id: int
    title: str
    owner_id: int
    owner_email: str
    due_on: date
    status: str
    overdue: bool
    meeting_id: int | None
    objective_id: int | None
    decision_id: int | None
    done_at: datetime | None


class MeetingOut(Schema):
    id: int
    title: str
    starts_at: datetime
    location: str
    status: str
    series_id: int | None
    minutes: str
    held_at: datetime | None
    circulated_at: datetime | None
    participants: list[ParticipantOut]


class MeetingDetailOut(MeetingOut):
    agenda: list[AgendaItemOut]
    action_items: list[ActionItemOut]


class AgendaItemIn(Schema):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(..., max_length=300)
    body: str = Field("", max_length=20_000)
    objective_id: int | None = Field(None, ge=1, le=MAX_ID)


class DraftOut(Schema):
    added: list[AgendaItemOut]


class MinutesIn(Schema):
    model_config = ConfigDict(extra="forbid")
    minutes: str = Field(..., max_length=100_000)
    notes: dict[int, str] = Field(default_factory=dict,
                                  description="What was said, by agenda item id")
    attended: list[int] | None = Field(None, max_length=100,
                                       description="User ids; the other participants absent")


class CirculateOut(Schema):
    sent: int = Field(description="Recipients; 0 when already circulated")


class ActionItemIn(Schema):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(..., max_length=300)
    owner_id: int = Id
    due_on: date
    meeting_id: int | None = Field(None, ge=1, le=MAX_ID)
    objective_id: int | None = Field(None, ge=1, le=MAX_ID)


class ActionItemPatch(Schema):
    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(None, max_length=300)
    owner_id: int | None = Field(None, ge=1, le=MAX_ID)
    due_on: date | None = None


class InboxOut(Schema):
    id: int
    subject: str
    body: str
    url: str
    kind: str
    created_at: datetime
    read_at: datetime | None
    emailed_at: datetime | None


class ReadIn(Schema):
    model_config = ConfigDict(extra="forbid")
    message_ids: list[int] | None = Field(None, max_length=1000,
                                          description="Omit to mark every message read")


class ReadOut(Schema):
    marked: int


class ManualPageIn(Schema):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(..., max_length=200)
    slug: str = Field("", max_length=64)


class RevisionOut(Schema):
    id: int
    version: int
    body: str
    summary: str
    meeting_id: int | None
    written_by: str | None
    created_at: datetime


class ManualPageOut(Schema):
    id: int
    slug: str
    title: str
    position: int
    current: RevisionOut | None


class ManualPageDetailOut(ManualPageOut):
    revisions: list[RevisionOut]


class RevisionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(..., max_length=100_000)
    summary: str = Field("", max_length=300)
    meeting_id: int | None = Field(None, ge=1, le=MAX_ID,
                                   description="The held meeting that decided the change "
                                               "(required after the first version)")


class DiffLineOut(Schema):
    op: Literal["+", "-", " ", "@"]
    text: str
