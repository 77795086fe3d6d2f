"""Reads of insight: the at-risk list, a person's prediction, model versions and cards."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from commonground.people.models import Person

from .models import ModelKind, ModelVersion, Prediction, VersionStatus

BANDS = ("high", "medium", "low")


def at_risk(*, band: str | None = None, plan_id: int | None = None,
            chapter_id: int | None = None, kind: str = ModelKind.LAPSE) -> QuerySet[Prediction]:
    """Members with a lapse prediction, highest revenue at risk first (then probability),
    with their person, plan and chapter loaded."""
    # Not the model version: its artifact (the fitted model, megabytes) would ride along
    # with every row; the page reads the version once.
    qs = (Prediction.objects.filter(kind=kind)
          .select_related("person", "plan", "chapter")
          .order_by("-value_at_risk", "-probability", "id"))
    if band:
        qs = qs.filter(band=band)
    if plan_id:
        qs = qs.filter(plan_id=plan_id)
    if chapter_id:
        qs = qs.filter(chapter_id=chapter_id)
    return qs


def prediction_of(person: Person, kind: str = ModelKind.LAPSE) -> Prediction | None:
    return (Prediction.objects.filter(person=person, kind=kind).select_related("model")
            .defer("model__artifact", "model__card").first())


def current_version(kind: str = ModelKind.LAPSE) -> ModelVersion | None:
    """The version in use, without its artifact (pages never need the fitted model)."""
    return ModelVersion.objects.filter(kind=kind, is_current=True).defer("artifact").first()


def card_version(kind: str = ModelKind.LAPSE, version: int | None = None) -> ModelVersion | None:
    """The version a model card shows: the one asked for, else the current one, else the
    latest (a failed or still-training first attempt says so on the card)."""
    qs = ModelVersion.objects.filter(kind=kind).defer("artifact")
    if version is not None:
        return qs.filter(version=version).first()
    return qs.filter(is_current=True).first() or qs.order_by("-version").first()


def versions(kind: str = ModelKind.LAPSE) -> QuerySet[ModelVersion]:
    return ModelVersion.objects.filter(kind=kind).defer("artifact").order_by("-version")


def band_counts(kind: str = ModelKind.LAPSE, version: ModelVersion | None = None
                ) -> dict[str, int]:
    """People per band: counted when the version's scores were published (no scan of
    every prediction on each page view), else counted now."""
    found = (version.card or {}).get("band_counts") if version is not None else None
    if found is None:
        rows = Prediction.objects.filter(kind=kind).values("band").annotate(n=Count("id"))
        found = {r["band"]: r["n"] for r in rows}
    return {b: found.get(b, 0) for b in BANDS}


def is_ready(version: ModelVersion | None) -> bool:
    return version is not None and version.status == VersionStatus.READY
