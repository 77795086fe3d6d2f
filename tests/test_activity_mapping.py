"""Mapping profiles: the shipped ones load, bad mappings fail with field errors."""

from __future__ import annotations

import pytest

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
