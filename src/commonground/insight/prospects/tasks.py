"""Background work of the prospects model. Tasks take ids and call a service.

Daily: every association's prospects are rescored with the current version (activity
moves every day), and retrained first when the current version is a week old or there
is none — the weekly retrain rides on the daily job (the schedule knows hours and days).
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django_scopes import scope
from django_tasks import task

from commonground.core.schedule import periodic
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association

from .. import selectors as versions
from ..models import ModelKind
from . import selectors

RETRAIN_AFTER = timedelta(days=7)


def _services():
    # Here, not at the top: the services load LightGBM and scikit-learn, which the web
    # process and every command's start-up would otherwise pay for (this module is imported
    # by the page, the API and the scheduler's discovery).
    from . import services

    return services


@task()
def train(association_id: int, actor_id: int | None = None) -> int:
    """A new version, then everyone rescored with it. Returns the version number."""
    association = Association.objects.get(pk=association_id)
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    services = _services()
    with scope(association=association):
        return services.prospects_train(association=association, actor=actor).version


@task()
def score(association_id: int) -> int:
    """Everyone rescored with the current version. Returns the people scored."""
    association = Association.objects.get(pk=association_id)
    services = _services()
    with scope(association=association):
        return services.prospects_score(association=association)


@task()
def daily(association_id: int) -> int:
    """Rescore; retrain first when the current version is a week old (or missing)."""
    association = Association.objects.get(pk=association_id)
    services = _services()
    with scope(association=association):
        current = versions.current_version(ModelKind.PROSPECT)
        if current is None or current.as_of <= association_today(association) - RETRAIN_AFTER:
            services.prospects_train(association=association)
            return selectors.counts(association).total
        return services.prospects_score(association=association)


@periodic("day")
@task()
def prospects_all_associations() -> int:
    ids = list(Association.objects.values_list("id", flat=True))
    for association_id in ids:
        daily.call(association_id)
    return len(ids)


def enqueue_train(association_id: int, *, actor_id: int | None = None) -> None:
    transaction.on_commit(lambda: train.enqueue(association_id, actor_id))


def enqueue_score(association_id: int) -> None:
    transaction.on_commit(lambda: score.enqueue(association_id))
