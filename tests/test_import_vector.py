"""The column-wise (polars) import paths give what the per-value / per-row ones give."""

from __future__ import annotations

import csv
import json
from datetime import date
from io import StringIO

import polars as pl
import pytest
from django.core.management import call_command
from django_scopes import scope
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _import_reference import RowCleaner
from commonground.core.errors import ValidationFailed
from commonground.core.normalise import normalise_email, normalise_phone
from commonground.membership.models import Membership
from commonground.membership.roster.fastnorm import fast_email, fast_phone
from commonground.membership.roster.frame import ChunkCleaner
from commonground.membership.roster.mapping import resolve
from commonground.membership.roster.rows import PlanRef, RowError
from commonground.membership.roster.vector import PY_SPACE, emails, phones
from commonground.membership.services import plan_save
from commonground.people.models import CustomFieldDefinition, Person
from commonground.people.services import custom_field_define


def _per_value(fn, value, **kwargs):
    try:
        return fn(value, **kwargs), None
    except ValidationFailed as exc:
        return "", next((str(m[0]) for m in exc.fields.values() if m), exc.message)


def test_python_whitespace_is_what_the_columns_strip():
    assert "".join(chr(c) for c in range(0x110000) if chr(c).isspace()) == PY_SPACE


local = st.from_regex(r"[A-Za-z0-9_%+\-]{1,12}(\.[A-Za-z0-9_%+\-]{1,8}){0,2}", fullmatch=True)
domain = st.from_regex(r"([A-Za-z0-9][A-Za-z0-9\-]{0,10}\.){1,3}[A-Za-z]{2,6}", fullmatch=True)
odd = st.text(alphabet="abcé@.-_+1 Ü", max_size=20).map(str.strip)
special = st.sampled_from(["a@x.test", "b@LOCALHOST", "c@host.local", "d@ex--ample.com",
                           "e@" + "x" * 64 + ".com", "f" * 65 + "@example.com", "José@example.com",
                           "g@bücher.de", "h@example.com"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.builds(lambda a, b: f"{a}@{b}", local, domain), odd, special),
                min_size=1, max_size=30))
def test_email_column_matches_fast_email_value_by_value(values):
    out = emails(pl.Series(values, dtype=pl.Utf8))
    for value, email, key, error in zip(values, out["email"], out["email_key"], out["error"],
                                        strict=True):
        expected, reason = _per_value(fast_email, value) if value else ("", None)
        assert (email, error) == (expected, reason), value
        assert key == expected.lower()
        if reason is None and value:
            assert email == normalise_email(value)


digits = st.from_regex(r"1?[0-9]{10}", fullmatch=True)
styles = st.sampled_from(["{d}", "+{d}", "({a}) {x}-{l}", "{a}-{x}-{l}", "+1 {a} {x} {l}",
                          "1 {a} {x} {l}", "{a}.{x}.{l}", "+44 20 7946 0{l}", "12"])
regions = st.sampled_from(["US", "CA", "GB", "JM", "PR", "FR"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(digits, styles, regions), min_size=1, max_size=30))
def test_phone_column_matches_fast_phone_value_by_value(items):
    values, region_of = [], []
    for number, style, region in items:
        ten = number[-10:]
        values.append(style.format(d=number, a=ten[:3], x=ten[3:6], l=ten[6:]))
        region_of.append(region)
    out = phones(pl.Series(values), pl.Series(region_of))
    for value, region, phone, error in zip(values, region_of, out["phone"], out["error"],
                                           strict=True):
        expected = _per_value(fast_phone, value, region=region)
        assert (phone, error) == expected, (value, region)
        if error is None:
            assert phone == normalise_phone(value, region=region)


# ------------------------------------------------------------------ whole rows

HEADER = ["Name", "First Name", "Last Name", "Email", "Country", "Membership Level", "Join Date",
          "Expiry", "Shoe", "Colour"]
PLANS = [PlanRef(1, "Regular", "regular", "individual", 12, 30, 30),
         PlanRef(2, "Corporate", "corporate", "organisation", 12, 30, 30)]
DEFINITIONS = [CustomFieldDefinition(key="shoe", label="Shoe", kind="number"),
               CustomFieldDefinition(key="colour", label="Colour", kind="choice",
                                     choices=["Red", "Blue"])]

cells = {
    "Name": st.sampled_from(["", "Ada Lovelace", "Cher", "  Jean  Luc Picard ", "x" * 201]),
    "First Name": st.sampled_from(["", "Ada", " Zoë ", "y" * 101]),
    "Last Name": st.sampled_from(["", "Byron", "Ørsted"]),
    "Email": st.one_of(st.sampled_from(["", "not-an-email", "A@Example.COM", " b@x.test ",
                                        "José@example.com"]),
                       st.builds(lambda a, b: f"{a}@{b}", local, domain)),
    "Country": st.sampled_from(["", "US", "usa", "United Kingdom", "Narnia"]),
    "Membership Level": st.sampled_from(["", "Regular", "regular", "Corporate", "Gold"]),
    "Join Date": st.sampled_from(["", "2021-01-05", "1/2/2021", "13/01/2021", "31/31/2020",
                                  "5 January 2021", "44201", "soon"]),
    "Expiry": st.sampled_from(["", "2020-01-01", "2030-12-31", "Dec 31, 2029", "2021-02-30"]),
    "Shoe": st.sampled_from(["", "42", " 7.5 ", "big"]),
    "Colour": st.sampled_from(["", "red", "Blue", "green"]),
}
rows = st.lists(st.tuples(*[cells[h] for h in HEADER]).map(list), min_size=1, max_size=12)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows, st.booleans())
def test_chunk_cleaner_agrees_with_the_row_cleaner(chunk, dayfirst):
    mapping = resolve(HEADER, custom_fields=[(d.key, d.label) for d in DEFINITIONS])
    per_row = RowCleaner(mapping, definitions=DEFINITIONS, plans=PLANS, dayfirst=dayfirst)
    columns = ChunkCleaner(mapping, definitions=DEFINITIONS, plans=PLANS, dayfirst=dayfirst,
                           typed=False)
    lines = list(range(2, len(chunk) + 2))
    df, custom = columns.clean(chunk, lines)
    for row, line, got, row_custom in zip(chunk, lines, df.iter_rows(named=True), custom,
                                          strict=True):
        try:
            expected = per_row.clean(row, line)
        except RowError as exc:
            assert got["reason"] == str(exc), row
            continue
        assert got["reason"] is None, row
        values = expected.values
        for field in ("first_name", "last_name", "email", "country"):
            assert got[field] == values.get(field, ""), (field, row)
        assert got["email_key"] == expected.email_key
        assert got["plan_id"] == (expected.plan.id if expected.plan else None)
        assert (got["joined_on"], got["expires_on"]) == (expected.joined_on, expected.expires_on)
        assert row_custom == expected.custom


# ------------------------------------------------------------------ a whole import


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"


def test_a_file_mixing_fast_and_fallback_values_imports_like_the_per_value_rules(
        association, tmp_path):
    with scope(association=association):
        plan_save(association=association, name="Regular", price="100")
        custom_field_define(association=association, key="shoe", label="Shoe size",
                            kind="number")
    header = ["Member ID", "First Name", "Last Name", "Email", "Phone", "City", "State", "Zip",
              "Country", "Membership Level", "Member Since", "Expiry", "Shoe size"]
    rows = [
        ["A1", "Ada", "Lovelace", "Ada@Example.COM", "(415) 555-2671", "San Francisco", "CA",
         "94103", "US", "Regular", "1/5/2021", "2030-01-04", "42"],
        ["A2", "José", "Núñez", "José@Example.com", "+44 20 7946 0958", "London", "", "SW1A 1AA",
         "GB", "Regular", "5 January 2021", "44925", ""],
        ["A3", "Zoë", "Ørsted", "zoe@bücher.de", "212.555.0101", "", "", "", "", "", "", "", " 7.5 "],
        ["A4", "Ed", "Bad", "ed@example.com", "12", "", "", "", "", "", "", "", ""],
    ]
    path = tmp_path / "mixed.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    out = StringIO()
    call_command("import", "people", str(path), "--association", association.slug, "--json",
                 "--no-progress", stdout=out, stderr=StringIO())
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert (result["created"], result["rejected"]) == (3, 1)
    with scope(association=association):
        people = {p.external_id: p for p in Person.objects.all()}
        for external_id, row in zip(("A1", "A2", "A3"), rows, strict=False):
            person = people[external_id]
            region = row[8] or "US"
            assert person.email == normalise_email(row[3])
            assert person.email_key == person.email.lower()
            assert person.phone == normalise_phone(row[4], region=region)
            assert person.search_text == Person.make_search_text(row[1], row[2], person.email)
        assert people["A1"].custom == {"shoe": "42"} and people["A3"].custom == {"shoe": "7.5"}
        assert people["A2"].postal_code == "SW1A 1AA"
        a1 = people["A1"]  # the member list's copy of the current membership
        assert (a1.member_status, a1.member_since, a1.member_until) == (
            "active", date(2021, 1, 5), date(2030, 1, 4))
        membership = Membership.objects.get(person=people["A2"])
        assert (membership.joined_on, membership.ends_on) == (date(2021, 1, 5), date(2022, 12, 30))
    again = StringIO()
    call_command("import", "people", str(path), "--association", association.slug, "--json",
                 "--no-progress", stdout=again, stderr=StringIO())
    rerun = json.loads(again.getvalue().strip().splitlines()[-1])
    assert (rerun["created"], rerun["updated"], rerun["rejected"]) == (0, 0, 1)
