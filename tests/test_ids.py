"""One id bound (core.ids): defined once; ids from outside beyond it are refused, not a 500."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

import commonground
from commonground.core.ids import MAX_ID, parse_id


@pytest.mark.parametrize("text,expected", [
    ("1", 1), (" 42 ", 42), ("007", 7), (str(MAX_ID), MAX_ID),
    (str(MAX_ID + 1), None), ("9" * 40, None), ("0", None), ("-1", None), ("+1", None),
    ("1.5", None), ("1e3", None), ("", None), ("²", None), ("١٢", None), (None, None), (3, None),
])
def test_parse_id(text, expected):
    assert parse_id(text) == expected


def test_the_bound_is_written_once():
    root = Path(commonground.__file__).parent
    found = [str(p.relative_to(root)) for p in root.rglob("*.py")
             if re.search(r"2\s*\*\*\s*63|9223372036854775807", p.read_text())]
    assert found == ["core/ids.py"]


@pytest.mark.parametrize("value", [str(MAX_ID + 1), "9" * 30, "²"])
def test_out_of_range_ids_in_links_are_ignored(staff_client, association, value):
    url = reverse("person_list", kwargs={"association": "acme"})
    assert staff_client.get(url, {"plan": value, "chapter": value}).status_code == 200
