"""Validation of custom field values against the association's definitions."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from dateutil import parser as dateparser
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from commonground.core.errors import ValidationFailed

from .models import CustomFieldDefinition, FieldKind

_TRUE = {"1", "true", "yes", "y", "on", "x"}
_FALSE = {"0", "false", "no", "n", "off", ""}


def clean_value(definition: CustomFieldDefinition, value: Any) -> Any:
    """Coerce one value to the field's type (JSON-safe), or raise ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if definition.required:
            raise ValueError("required")
        return None
    kind = definition.kind
    if kind == FieldKind.TEXT:
        return str(value).strip()
    if kind == FieldKind.NUMBER:
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError("not a number") from None
        if not number.is_finite():
            raise ValueError("not a number")
        return str(number)
    if kind == FieldKind.DATE:
        try:
            return dateparser.parse(str(value)).date().isoformat()
        except (ValueError, OverflowError):
            raise ValueError("not a date") from None
    if kind == FieldKind.BOOLEAN:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError("not yes or no")
    if kind == FieldKind.CHOICE:
        text = str(value).strip()
        for choice in definition.choices:
            if text.lower() == str(choice).lower():
                return choice
        raise ValueError(f"not one of {', '.join(map(str, definition.choices))}")
    if kind == FieldKind.URL:
        try:
            URLValidator()(str(value).strip())
        except ValidationError:
            raise ValueError("not a web address") from None
        return str(value).strip()
    raise ValueError(f"unknown field kind {kind}")


def clean_custom(
    definitions: list[CustomFieldDefinition], values: dict[str, Any], *, partial: bool = False
) -> dict[str, Any]:
    """Validate a dict of custom values. Unknown keys are refused, not dropped."""
    by_key = {d.key: d for d in definitions}
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for key, value in (values or {}).items():
        definition = by_key.get(key)
        if definition is None:
            errors[f"custom.{key}"] = ["no such custom field"]
            continue
        try:
            result = clean_value(definition, value)
        except ValueError as exc:
            errors[f"custom.{key}"] = [str(exc)]
            continue
        if result is not None:
            cleaned[key] = result
    if not partial:
        for d in definitions:
            if d.required and d.key not in cleaned and f"custom.{d.key}" not in errors:
                errors[f"custom.{d.key}"] = ["required"]
    if errors:
        raise ValidationFailed("Invalid custom field values", fields=errors)
    return cleaned
