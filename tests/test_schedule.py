"""The worker's periodic jobs: the lifecycle advance every hour, housekeeping daily."""

from datetime import datetime

from commonground.core import schedule
from commonground.core.management.commands.worker import enqueue_periodic
from commonground.membership.tasks import advance_all_associations
from commonground.tenancy.tasks import prune_idempotency_records


def test_the_worker_ticks_at_five_past_every_hour():
    assert schedule.seconds_until_next_tick(datetime(2026, 3, 1, 0, 0)) == 300
    assert schedule.seconds_until_next_tick(datetime(2026, 3, 1, 0, 5)) == 3600
    assert schedule.seconds_until_next_tick(datetime(2026, 3, 1, 23, 0)) == 300
    assert schedule.seconds_until_next_tick(datetime(2026, 3, 1, 23, 6)) == 3540


def test_apps_register_their_jobs_and_the_daily_ones_run_after_midnight():
    tasks = {job.task: job.every for job in schedule.jobs()}
    assert tasks[advance_all_associations] == "hour"
    assert tasks[prune_idempotency_records] == "day"
    after_midnight = {job.task for job in schedule.due(datetime(2026, 3, 1, 0, 5))}
    assert {advance_all_associations, prune_idempotency_records} <= after_midnight
    afternoon = {job.task for job in schedule.due(datetime(2026, 3, 1, 15, 5))}
    assert advance_all_associations in afternoon and prune_idempotency_records not in afternoon
    started = {job.task for job in schedule.due(datetime(2026, 3, 1, 15, 5), start=True)}
    assert prune_idempotency_records in started


def test_enqueue_at_start_up_enqueues_every_job(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    names = enqueue_periodic(at=datetime(2026, 3, 1, 15, 5), start=True)
    assert len(names) == len(schedule.jobs()) >= 2
