"""Reads of the prospects model (never a write): the ranked list, one person's score, the
current version."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, FloatField, QuerySet, Sum
from django.db.models.functions import Cast

from commonground.insight.models import ModelKind, Prediction
from commonground.people.filters.fields import search_terms
from commonground.tenancy.models import Association

KIND = ModelKind.PROSPECT
BANDS = ("high", "medium", "low")




def ranked(association: Association, *, band: str = "", search: str = "") -> QuerySet[Prediction]:
    """Prospect predictions, best first by expected first-year value (probability × the
    first year's dues), then probability; with the person (name, email) joined in."""
    qs = (Prediction.objects.filter(association=association, kind=KIND)
          .select_related("person")
          .annotate(expected=Cast(F("probability"), FloatField())
                    * Cast(F("value_at_risk"), FloatField()))
          .order_by("-expected", "-probability", "id"))
    if band in BANDS:
        qs = qs.filter(band=band)
    for term in search_terms(search):  # the people search's one rule: every word
        qs = qs.filter(person__search_text__contains=term)
    return qs


@dataclass
class Counts:
    total: int
    high: int
    medium: int
    low: int
    expected: Decimal


def counts(association: Association) -> Counts:
    """How many prospects per band, and the first-year dues they are expected to bring."""
    by = dict.fromkeys(BANDS, 0)
    expected = 0.0
    for row in (Prediction.objects.filter(association=association, kind=KIND).values("band")
                .annotate(n=Count("id"), value=Sum(Cast(F("probability"), FloatField())
                                                   * Cast(F("value_at_risk"), FloatField())))):
        by[row["band"]] = row["n"]
        expected += row["value"] or 0.0
    return Counts(total=sum(by.values()), high=by["high"], medium=by["medium"], low=by["low"],
                  expected=Decimal(str(round(expected, 2))))
