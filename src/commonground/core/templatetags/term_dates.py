"""``{{ membership.ends_on|ends:"j M Y" }}``: a term's end as people read it.

A lifetime term ends on the last representable day (``membership.terms.LIFETIME_END``,
9999-12-31); printing that date would read as a data error, so it reads "Lifetime".
The kernel cannot import membership, so the rule is the year: no real term ends in 9999.
"""

from __future__ import annotations

from datetime import date

from django import template
from django.template.defaultfilters import date as date_filter

register = template.Library()


@register.filter
def ends(value: date | None, fmt: str = "j M Y") -> str:
    if value is None or value == "":
        return ""
    if getattr(value, "year", None) == 9999:
        return "Lifetime"
    return date_filter(value, fmt)
