"""Background work for insight: the daily rescoring of lapse risk, with the weekly retrain
folded in (the scheduler runs hourly or daily jobs). Tasks take ids and call a service."""

from __future__ import annotations

import logging
from datetime import timedelta

from django_scopes import scope
from django_tasks import task

from commonground.core.schedule import periodic
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association

from . import services
from .models import ModelKind, Prediction
from .prospects import tasks as prospects_tasks  # noqa: F401  (registers the prospects' daily job)

log = logging.getLogger(__name__)


@task()
def lapse_train(association_id: int) -> int:
    """Train a new lapse version and score everyone with it; returns the version number."""
    association = Association.objects.get(pk=association_id)
    with scope(association=association):
        return services.lapse_train(association=association).version


RETRAIN_DAYS = 7  # the weekly retrain: the daily run trains when the version is this old


@task()
def lapse_daily(association_id: int) -> int:
    """Rescore every member with the current version (new members, renewals, new
    activity); once the version is a week old — or there is none yet — train a new one
    first (which scores everyone with it). Returns the members scored."""
    association = Association.objects.get(pk=association_id)
    with scope(association=association):
        today = association_today(association)
        current = services.current_version(ModelKind.LAPSE)
        if current is None or current.as_of <= today - timedelta(days=RETRAIN_DAYS):
            services.lapse_train(association=association, today=today)
            return Prediction.objects.filter(kind=ModelKind.LAPSE).count()
        return services.lapse_score(association=association, today=today)


@periodic("day")
@task()
def lapse_daily_all_associations() -> int:
    """Every association, one after the other (one failure does not stop the rest)."""
    ids = list(Association.objects.values_list("id", flat=True))
    for association_id in ids:
        try:
            lapse_daily.call(association_id)
        except Exception:
            log.exception("lapse scoring failed for association %s", association_id)
    return len(ids)
