"""Every write of the scoring app: configuration versions, recomputes, snapshots."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import date
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone

from commonground.core.batches import engine as batches
from commonground.core.batches.registry import BatchKind
from commonground.core.batches.tasks import enqueue
from commonground.core.bulk import insert_frame
from commonground.core.memory import without_cyclic_gc
from commonground.engagement.models import Contribution, Outcome
from commonground.people.models import Person
from commonground.tenancy import audit
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association

from . import config as config_rules
from . import engine
from .models import Score, ScoreConfig, ScoreRun, ScoreSnapshot

# Items buffered per chunk of a full run (some thousand people): one transaction each.
CHUNK_ITEMS = 150_000
# An incremental update bigger than this is a full run instead.
INCREMENTAL_MAX = 20_000
WRITE_COLUMNS = ("person_id", "derived", "created", "total", "level", "level_since",
                 "below_since", "components")


# ---------------------------------------------------------------- configuration

def current_config(*, association: Association) -> ScoreConfig:
    """The association's latest configuration; version 1 (the defaults) the first time."""
    latest = ScoreConfig.objects.order_by("-version").first()
    if latest is not None:
        return latest
    with transaction.atomic():
        Association.objects.select_for_update().filter(pk=association.pk).first()
        latest = ScoreConfig.objects.order_by("-version").first()
        if latest is None:
            latest = ScoreConfig.objects.create(association=association, version=1,
                                                params=config_rules.validate({}),
                                                note="The defaults")
        return latest


@transaction.atomic
def score_config_save(*, association: Association, params: dict[str, Any], note: str = "",
                      actor: Any = None) -> ScoreConfig:
    """A new version of the score model (the old ones stay: past scores are explained by
    their own). Raises ``ValidationFailed`` with field messages for a config that would
    divide by zero or weigh nothing."""
    cleaned = config_rules.validate(params)
    Association.objects.select_for_update().filter(pk=association.pk).first()
    version = (ScoreConfig.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    saved = ScoreConfig.objects.create(association=association, version=version, params=cleaned,
                                       note=note[:300], created_by=_user(actor))
    audit.record(association=association, action="score_config.saved", obj=saved, actor=actor,
                 data={"version": version, "note": note[:300]})
    return saved


def _user(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


# ---------------------------------------------------------------- writing scores

def _stamp(value: Any) -> Any:
    return connection.ops.adapt_datetimefield_value(value) if connection.vendor == "sqlite" \
        else value.isoformat()


def _write(model: type, frame: pl.DataFrame, *, association: Association, config: ScoreConfig,
           as_of: date, extra: dict[str, Any] | None = None) -> int:
    consts = {"association_id": association.pk, "config_id": config.pk,
              "as_of": as_of.isoformat(), "computed_at": _stamp(timezone.now()), **(extra or {})}
    return insert_frame(model, frame.select(WRITE_COLUMNS), consts)


def _priors(qs) -> dict[int, engine.Prior]:
    return {pid: engine.Prior(level, since, below)
            for pid, level, since, below in qs.values_list("person_id", "level", "level_since",
                                                         "below_since")}


@transaction.atomic
def scores_recompute(*, association: Association, person_ids: Sequence[int],
                     as_of: date | None = None) -> int:
    """Recompute these people's current scores now (an incremental update: their new
    activity, contributions or outcomes). Returns the scores written."""
    ids = sorted({int(p) for p in person_ids})
    if not ids:
        return 0
    as_of = as_of or association_today(association)
    cfg_row = current_config(association=association)
    cfg = cfg_row.params
    ids = list(Person.objects.filter(id__in=ids).values_list("id", flat=True))
    items = engine.items_for(association=association, as_of=as_of, cfg=cfg, person_ids=ids)
    current = Score.objects.filter(person_id__in=ids)
    frame = engine.score_people(people=ids, items=items, cfg=cfg,
                                staff=engine.staff_person_ids(association),
                                priors=_priors(current), as_of=as_of)
    current.delete()
    return _write(Score, frame, association=association, config=cfg_row, as_of=as_of)


def score_for_date(*, association: Association, person_ids: Sequence[int], as_of: date,
                   cfg: dict[str, Any]) -> pl.DataFrame:
    """Scores as they would have stood on ``as_of`` under ``cfg`` (no demotion history,
    nothing written): the settings page's check against past renewals."""
    items = engine.items_for(association=association, as_of=as_of, cfg=cfg, person_ids=person_ids)
    return engine.score_people(people=list(person_ids), items=items, cfg=cfg,
                               staff=engine.staff_person_ids(association), priors={}, as_of=as_of)


# ---------------------------------------------------------------- the full recompute

def score_recompute_start(*, association: Association, actor: Any = None,
                          as_of: date | None = None, snapshot_month: date | None = None,
                          background: bool = False) -> ScoreRun:
    """A full recompute of every person's score, as a batch (resumable; progress in
    ``rows_done`` / ``total_rows``). Foreground: runs it to the end and returns it
    finished; background: hands it to the worker once committed."""
    cfg = current_config(association=association)
    with transaction.atomic():
        run = ScoreRun.objects.create(association=association, config=cfg,
                                      as_of=as_of or association_today(association),
                                      snapshot_month=snapshot_month, created_by=_user(actor),
                                      total_rows=Person.objects.count())
        audit.record(association=association, action="score.recompute_started", obj=run,
                     actor=actor, data={"version": cfg.version, "as_of": run.as_of.isoformat()})
        if background:
            enqueue(KIND.name, run.pk)
            return run
    return batches.run(KIND, run.pk)


def score_recompute_resume(*, run: ScoreRun) -> ScoreRun:
    return batches.run(KIND, run.pk)


class FullRun:
    def __init__(self, run: ScoreRun, owner: str, progress: Any) -> None:
        self.run = run
        self.owner = owner
        self.progress = progress
        self.association = run.association
        self.config = run.config
        self.cfg = run.config.params
        self.staff = engine.staff_person_ids(self.association)

    def go(self) -> None:
        lo = self.run.last_person_id
        self.people = list(Person.objects.filter(id__gt=lo).order_by("id")
                           .values_list("id", flat=True))
        buffer: list[pl.DataFrame] = []
        held = 0
        with without_cyclic_gc():
            for frame in engine.activity_chunks(association=self.association, as_of=self.run.as_of,
                                                cfg=self.cfg, after_person_id=lo):
                buffer.append(frame)
                held += frame.height
                if held < CHUNK_ITEMS:
                    continue
                # The fetch's last person may go on in the next fetch: keep their rows.
                cut = int(frame.get_column("person_id")[-1])
                items = pl.concat(buffer)
                carry = items.filter(pl.col("person_id") == cut)
                self._chunk(lo, cut - 1, items.filter(pl.col("person_id") != cut))
                lo = cut - 1
                buffer, held = [carry], carry.height
            last = self.people[-1] if self.people else lo
            items = pl.concat(buffer) if buffer else pl.DataFrame(schema=engine.ITEM_SCHEMA)
            self._chunk(lo, max(last, lo), items)
        self._finish()

    def _chunk(self, lo: int, hi: int, activity: pl.DataFrame) -> None:
        """Score the people in ``(lo, hi]`` and replace their scores, in one transaction."""
        start, stop = bisect.bisect_right(self.people, lo), bisect.bisect_right(self.people, hi)
        people = self.people[start:stop]
        dated = [engine.dated_items(m, association=self.association, as_of=self.run.as_of,
                                    cfg=self.cfg, lo=lo, hi=hi) for m in (Contribution, Outcome)]
        items = pl.concat([activity, *dated], how="vertical")
        current = Score.objects.filter(person_id__gt=lo, person_id__lte=hi)
        frame = engine.score_people(people=people, items=items, cfg=self.cfg, staff=self.staff,
                                    priors=_priors(current), as_of=self.run.as_of)
        with batches.chunk_transaction(ScoreRun, self.run.pk, self.owner):
            current.delete()
            _write(Score, frame, association=self.association, config=self.config,
                   as_of=self.run.as_of)
            if self.run.snapshot_month:
                month = self.run.snapshot_month
                ScoreSnapshot.objects.filter(month=month, person_id__gt=lo,
                                             person_id__lte=hi).delete()
                _write(ScoreSnapshot, frame, association=self.association, config=self.config,
                       as_of=self.run.as_of, extra={"month": month.isoformat()})
            ScoreRun.objects.filter(pk=self.run.pk).update(
                last_person_id=hi, rows_done=F("rows_done") + len(people),
                heartbeat_at=timezone.now())
        self.run.last_person_id = hi
        self.run.rows_done += len(people)
        if self.progress:
            self.progress(self.run)

    def _finish(self) -> None:
        with batches.finish_transaction(ScoreRun, self.run.pk, self.owner) as run:
            run.total_rows = run.rows_done
            audit.record(association=self.association, action="score.recomputed", obj=run,
                         actor=run.created_by,
                         data={"version": self.config.version, "people": run.rows_done,
                               "as_of": run.as_of.isoformat(),
                               "snapshot": run.snapshot_month.isoformat() if run.snapshot_month else None})


def _run(run: ScoreRun, owner: str, progress: Any) -> None:
    FullRun(run, owner, progress).go()


def summary(run: ScoreRun) -> dict[str, int]:
    return {"people": run.rows_done}


KIND = BatchKind(name="scores", model=ScoreRun, runner=_run, summary=summary,
                 related=("association", "config"))


# ---------------------------------------------------------------- people merged / erased

@transaction.atomic
def scores_forget(*, association: Association, person_id: int) -> int:
    """Delete a person's score and snapshots (a merge removes them; nothing else to keep:
    scores hold counts, no free text). Returns rows deleted."""
    n = Score.objects.filter(person_id=person_id).delete()[0]
    return n + ScoreSnapshot.objects.filter(person_id=person_id).delete()[0]
