"""API shapes for people, organisations and chapters."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

SectorName = Literal["public", "voluntary", "private"]


class ChapterOut(Schema):
    id: int
    name: str
    slug: str
    region: str


class ChapterIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(..., max_length=120, examples=["Northwest"])
    region: str = Field("", max_length=120, examples=["Oregon and Washington"])


class PersonOut(Schema):
    id: int
    first_name: str
    last_name: str
    email: str
    phone: str = Field(description="E.164")
    address_line1: str
    address_line2: str
    city: str
    region: str
    postal_code: str
    country: str
    chapter_id: int | None
    custom: dict[str, Any]
    external_id: str
    created_at: datetime
    updated_at: datetime
    erased_at: datetime | None


class _PersonFields(Schema):
    # Unknown fields are refused, so a typo is a 422, not a silently ignored change.
    model_config = ConfigDict(extra="forbid")
    first_name: str | None = Field(None, max_length=100, examples=["Ada"])
    last_name: str | None = Field(None, max_length=100, examples=["Lovelace"])
    email: str | None = Field(None, max_length=254, examples=["ada@example.org"])
    phone: str | None = Field(None, max_length=40, examples=["+1 503 555 0100"])
    address_line1: str | None = Field(None, max_length=200)
    address_line2: str | None = Field(None, max_length=200)
    city: str | None = Field(None, max_length=120)
    region: str | None = Field(None, max_length=120)
    postal_code: str | None = Field(None, max_length=20)
    country: str | None = Field(None, max_length=2, description="ISO 3166-1 alpha-2",
                                examples=["US"])
    chapter: int | str | None = Field(None, description="Chapter id or slug; null to clear")
    custom: dict[str, Any] | None = Field(
        None, description="Values for the association's custom fields, by key")
    external_id: str | None = Field(None, max_length=100)


class PersonIn(_PersonFields):
    """A new person: at least a name or an email."""


class PersonPatch(_PersonFields):
    """Only the fields sent are changed; ``custom`` is merged key by key."""


class OrganisationOut(Schema):
    id: int
    name: str
    sector: SectorName
    website: str
    email: str
    phone: str
    city: str
    country: str
    created_at: datetime


class OrganisationIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(..., max_length=200, examples=["Acme Widgets Inc."])
    sector: SectorName = "private"
    website: str = Field("", max_length=200)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    city: str = Field("", max_length=120)
    country: str = Field("", max_length=2)

