"""Property tests for the import's date parser and its fast normalisation paths."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonground.core.errors import ValidationFailed
from commonground.core.normalise import normalise_address, normalise_email, normalise_phone
from commonground.membership.roster.dates import parse_date
from commonground.membership.roster.fastnorm import fast_address, fast_email, fast_phone

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
dates = st.dates(min_value=date(1930, 1, 1), max_value=date(2099, 12, 31))


@given(dates)
def test_every_supported_format_reads_back_the_same_date(d):
    assert parse_date(d.isoformat()) == d
    assert parse_date(f"{d.month}/{d.day}/{d.year}") == d
    assert parse_date(f"{d.day:02d}/{d.month:02d}/{d.year}", dayfirst=True) == d
    assert parse_date(f"{d.day}.{d.month}.{d.year}") == d
    assert parse_date(f"{MONTHS[d.month - 1][:3]} {d.day}, {d.year}") == d
    assert parse_date(f"{d.day} {MONTHS[d.month - 1]} {d.year}") == d
    assert parse_date(f"{d:%Y%m%d}") == d
    assert parse_date((d - date(1899, 12, 30)).days) == d  # an Excel serial cell
    assert parse_date(f"{d.isoformat()}T10:30:00Z") == d


@given(dates)
def test_an_unambiguous_day_wins_over_the_month_first_default(d):
    if d.day > 12:
        assert parse_date(f"{d.day}/{d.month}/{d.year}") == d


@given(st.text(max_size=30))
def test_garbage_is_none_a_date_or_a_value_error(text):
    try:
        result = parse_date(text)
    except ValueError:
        return
    assert result is None or isinstance(result, date)


def test_readable_reasons():
    with pytest.raises(ValueError, match="not a real date"):
        parse_date("2021-02-30")
    with pytest.raises(ValueError, match="not a date I can read"):
        parse_date("next tuesday")
    assert parse_date("") is None and parse_date(None) is None
    assert parse_date("05-Jan-21") == date(2021, 1, 5)
    assert parse_date("March 3rd, 2020") == date(2020, 3, 3)
    assert parse_date("1/2/2021", dayfirst=True) == date(2021, 2, 1)
    assert parse_date(date(2021, 1, 1) - timedelta(days=0)) == date(2021, 1, 1)


def _same(fast, slow, *args, **kwargs):
    try:
        expected = slow(*args, **kwargs)
    except ValidationFailed:
        with pytest.raises(ValidationFailed):
            fast(*args, **kwargs)
        return
    assert fast(*args, **kwargs) == expected


local = st.from_regex(r"[A-Za-z0-9_%+\-]{1,12}(\.[A-Za-z0-9_%+\-]{1,8}){0,2}", fullmatch=True)
domain = st.from_regex(r"([A-Za-z0-9][A-Za-z0-9\-]{0,10}\.){1,3}[A-Za-z]{2,6}", fullmatch=True)


@settings(max_examples=300)
@given(local, domain)
def test_fast_email_matches_email_validator(local_part, domain_part):
    _same(fast_email, normalise_email, f"{local_part}@{domain_part}")


@settings(max_examples=300)
@given(st.text(alphabet="abc@.-_+1 ", max_size=20))
def test_fast_email_matches_email_validator_on_odd_input(text):
    _same(fast_email, normalise_email, text)


digits = st.from_regex(r"1?[0-9]{10}", fullmatch=True)
styles = st.sampled_from(["{d}", "+{d}", "({a}) {x}-{l}", "{a}-{x}-{l}", "+1 {a} {x} {l}",
                          "1 {a} {x} {l}", "{a}.{x}.{l}"])


@settings(max_examples=400)
@given(digits, styles, st.sampled_from(["US", "CA", "GB", "JM"]))
def test_fast_phone_matches_phonenumbers(number, style, region):
    ten = number[-10:]
    text = style.format(d=number, a=ten[:3], x=ten[3:6], l=ten[6:])
    _same(lambda v, **kw: fast_phone(v, **kw), normalise_phone, text, region=region)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["", "1 Main St"]), st.sampled_from(["", "Boston", "Springfield"]),
       st.sampled_from(["", "MA", "Massachusetts", "ca", "XX"]),
       st.sampled_from(["", "02134", "94103", "ABCDE", "sw1a 1aa"]),
       st.sampled_from(["US", "GB", "CA"]))
def test_fast_address_matches_normalise_address(street, city, region, postal, country):
    values = {"address_line1": street, "city": city, "region": region, "postal_code": postal,
              "country": country}
    _same(fast_address, normalise_address, values)
