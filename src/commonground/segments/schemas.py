"""Shapes of the segments API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

DEFINITION_HELP = (
    "A filter of the person-filter language: `{\"op\": \"and\"|\"or\", \"rules\": [rule | "
    "group, …]}`, a rule `{\"field\", \"op\", \"value\"}`; groups nest at most 3 deep. "
    "`GET /segments/fields` lists the fields, their operators and values.")
EXAMPLE = {"op": "and", "rules": [
    {"field": "membership.status", "op": "is", "value": "lapsed"},
    {"field": "activity", "op": "matches", "value": {"category": "community",
                                                      "last_days": 180}}]}


class SegmentIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(..., max_length=200, examples=["Lapsed but still attending"])
    description: str = Field("", max_length=4000)
    definition: dict[str, Any] | None = Field(None, description=DEFINITION_HELP,
                                              examples=[EXAMPLE])
    person_ids: list[int] | None = Field(
        None, description="Instead of a definition: a static list of these people")


class SegmentPatch(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=4000)
    definition: dict[str, Any] | None = Field(None, description=DEFINITION_HELP)


class SegmentOut(Schema):
    id: int
    name: str
    slug: str
    description: str
    kind: Literal["live", "static"]
    definition: dict[str, Any]
    words: str = Field(description="The filter in words")
    last_count: int | None = Field(description="People at the last count")
    counted_at: datetime | None
    frozen_at: datetime | None
    frozen_from_id: int | None
    created_at: datetime
    updated_at: datetime


class CountIn(Schema):
    model_config = ConfigDict(extra="forbid")
    definition: dict[str, Any] = Field(..., description=DEFINITION_HELP, examples=[EXAMPLE])


class CountOut(Schema):
    count: int
    sample: list[dict[str, Any]] = Field(description="The first people by name (id and name)")


class NameIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str = Field("", max_length=200, description="Defaults to the segment's name and date")


class InputOut(Schema):
    name: str
    label: str
    type: str
    choices: list[list[str]] | None = None


class FieldOut(Schema):
    key: str
    label: str
    group: str
    type: str
    operators: list[str]
    choices: list[list[str]] | None = None
    inputs: list[InputOut] = []
    help: str = ""
