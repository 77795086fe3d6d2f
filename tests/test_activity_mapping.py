"""Mapping profiles: the shipped ones load, bad mappings fail with field errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonground.activity.ingest.dates import parse_datetimes
from commonground.activity.mapping import (
    load_toml,
    mapping_check_header,
    mapping_to_toml,
    mapping_validate,
    profile_kinds,
    profile_mapping,
)
from commonground.core.errors import ValidationFailed


@pytest.mark.parametrize("kind", profile_kinds())
def test_shipped_profiles_load_and_round_trip(kind):
    mapping = profile_mapping(kind)
    assert mapping["fields"]["occurred_at"]
    assert mapping["identity"]
    assert load_toml(mapping_to_toml(mapping)) == mapping


def test_ga4_profile_maps_event_name_values():
    mapping = profile_mapping("web_analytics")
    assert mapping["kinds"]["page_view"] == "page_view"
    assert mapping["identity"] == {"ext": "user_id", "anon": "user_pseudo_id"}


def test_unknown_profile_is_a_field_error():
    with pytest.raises(ValidationFailed) as exc:
        profile_mapping("fax")
    assert "profile" in exc.value.fields


def test_invalid_mapping_names_each_problem():
    with pytest.raises(ValidationFailed) as exc:
        mapping_validate({"timezone": "Mars/Base", "category": "gossip", "fields": {"colour": "C"},
                          "identity": {}, "kinds": {"x": "Not A Kind"},
                          "date_formats": ["no directives"]})
    fields = exc.value.fields
    for key in ("timezone", "category", "fields.colour", "fields.occurred_at", "fields.kind",
                "identity", "kinds.x", "date_formats"):
        assert key in fields, key


def test_bad_toml_is_a_validation_error():
    with pytest.raises(ValidationFailed):
        load_toml("this is = = not toml")


def test_header_check_requires_when_and_identity_columns():
    mapping = profile_mapping("email")
    with pytest.raises(ValidationFailed) as exc:
        mapping_check_header(mapping, ["Email Address", "Action"])
    assert "fields.occurred_at" in exc.value.fields
    missing = mapping_check_header(mapping, ["Email Address", "Action", "Timestamp"])
    assert "Campaign" in missing


# ---------------------------------------------------------------- the date parser


FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%m/%d/%Y %H:%M:%S", "%Y-%m-%d %H:%M"]
moments = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1)).map(
    lambda d: d.replace(microsecond=0))


@settings(max_examples=60, deadline=None)
@given(when=moments, fmt=st.sampled_from(FORMATS),
       tz=st.sampled_from(["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata"]))
def test_naive_times_are_read_in_the_mapping_zone(when, fmt, tz):
    text = when.strftime(fmt)
    expected = datetime.strptime(text, fmt)
    local = expected.replace(tzinfo=ZoneInfo(tz))
    exists = local.astimezone(UTC).astimezone(ZoneInfo(tz)).replace(tzinfo=None) == expected
    ambiguous = expected.replace(tzinfo=ZoneInfo(tz), fold=1).utcoffset() != local.utcoffset()
    got = parse_datetimes(pl.Series([text]), formats=[fmt], timezone=tz).to_list()[0]
    if not exists:
        assert got is None  # a wall-clock time the zone skips is rejected
        return
    if ambiguous:
        return  # the earlier reading is taken; both are right
    assert got == local.astimezone(UTC)


@settings(max_examples=60, deadline=None)
@given(when=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1),
                         timezones=st.just(UTC)))
def test_offsets_and_epochs_give_the_same_instant(when):
    when = when.replace(microsecond=when.microsecond - when.microsecond % 1000)
    us = (when - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    texts = [when.isoformat(), when.isoformat().replace("+00:00", "Z"), str(us // 1_000_000),
             str(us // 1000), str(us)]
    got = parse_datetimes(pl.Series(texts), timezone="Asia/Tokyo").to_list()
    assert got[:2] == [when, when]
    assert got[2] == when.replace(microsecond=0)
    assert got[3] == when and got[4] == when


@settings(max_examples=80, deadline=None)
@given(text=st.text(max_size=30))
def test_garbage_never_raises(text):
    out = parse_datetimes(pl.Series([text, None]), formats=["%d.%m.%Y"], timezone="UTC")
    assert len(out) == 2 and out[1] is None
