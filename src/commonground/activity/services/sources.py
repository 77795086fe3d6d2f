"""Writes for activity sources, ingestion batches and rejects."""

from __future__ import annotations

import secrets
import uuid
from pathlib import Path
from typing import Any

import polars as pl
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.text import slugify

from commonground.core.batches import readers
from commonground.core.batches.engine import resumable
from commonground.core.batches.files import sha256_file, store_file
from commonground.core.errors import Conflict, NotFound, ValidationFailed
from commonground.tenancy import audit
from commonground.tenancy.models import Association

from ..ingest import engine, transform, write
from ..mapping import mapping_check_header, mapping_validate, profile_mapping
from ..models import ActivityBatch, ActivityReject, ProfileKind, RejectStatus, Source

MAX_API_ROWS = 10_000


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def new_secret() -> str:
    return secrets.token_hex(32)


@transaction.atomic
def source_create(*, association: Association, name: str, profile: str = ProfileKind.CUSTOM,
                  mapping: dict[str, Any] | None = None, slug: str = "", actor: Any = None
                  ) -> Source:
    """A new feed. Without ``mapping`` the shipped profile's mapping is used."""
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["required"]
    if profile not in ProfileKind.values:
        errors["profile"] = [f"one of {', '.join(ProfileKind.values)}"]
    elif mapping is None and profile == ProfileKind.CUSTOM:
        errors["mapping"] = ["a custom source needs a mapping"]
    slug = slugify(slug or name)[:64]
    if name and not slug:
        errors["slug"] = ["give a name with letters or digits"]
    if errors:
        raise ValidationFailed("The source is not valid", fields=errors)
    mapping = mapping_validate(mapping if mapping is not None else profile_mapping(profile))
    if Source.objects.filter(slug=slug).exists():
        raise Conflict(f"A source {slug!r} exists already", fields={"name": ["already in use"]})
    source = Source.objects.create(association=association, name=name[:120], slug=slug,
                                   profile=profile, mapping=mapping, webhook_secret=new_secret())
    audit.record(association=association, action="activity.source_created", obj=source,
                 actor=actor, data={"slug": slug, "profile": profile})
    return source


@transaction.atomic
def source_update(*, association: Association, source: Source, name: str | None = None,
                  mapping: dict[str, Any] | None = None, is_active: bool | None = None,
                  actor: Any = None) -> Source:
    changed: list[str] = []
    if name is not None:
        if not name.strip():
            raise ValidationFailed("The source needs a name", fields={"name": ["required"]})
        source.name = name.strip()[:120]
        changed.append("name")
    if mapping is not None:
        source.mapping = mapping_validate(mapping)
        changed.append("mapping")
    if is_active is not None:
        source.is_active = bool(is_active)
        changed.append("is_active")
    if changed:
        source.save(update_fields=changed)
        audit.record(association=association, action="activity.source_updated", obj=source,
                     actor=actor, data={"changed": changed})
    return source


@transaction.atomic
def source_rotate_secret(*, association: Association, source: Source, actor: Any = None) -> str:
    """A new webhook secret (the old one stops working at once). Returns it, to show once."""
    source.webhook_secret = new_secret()
    source.save(update_fields=["webhook_secret"])
    audit.record(association=association, action="activity.webhook_secret_rotated", obj=source,
                 actor=actor)
    return source.webhook_secret


@transaction.atomic
def activities_prepare(*, association: Association, source: Source, path: str | Path,
                       file_name: str = "", actor: Any = None, options: dict | None = None,
                       move: bool = False) -> tuple[ActivityBatch, bool]:
    """A file batch for ``source`` — or the unfinished batch of the same file (it resumes).
    Returns (batch, resumed). The batch reads its own copy of the file in the data dir
    (``move``: the file is an upload already there, moved rather than copied)."""
    path = Path(path)
    if not path.is_file():
        raise ValidationFailed(f"No such file: {path}", fields={"file": ["not found"]})
    if not source.is_active:
        raise Conflict("The source is paused", fields={"source": ["paused"]})
    sha = sha256_file(path)
    unfinished = resumable(ActivityBatch.objects.filter(source=source, file_sha256=sha))
    if unfinished is not None:
        return unfinished, True
    try:
        header, info = readers.read_header(path)
    except (readers.UnreadableFile, UnicodeDecodeError) as exc:
        raise ValidationFailed(f"{file_name or path.name}: {exc}", fields={"file": [str(exc)]}) from None
    if header:
        mapping_check_header(mapping_validate(source.mapping), header)
    batch = ActivityBatch.objects.create(
        association=association, source=source, channel="file",
        file_name=(file_name or path.name)[:255], file_sha256=sha,
        options={"size": path.stat().st_size, "format": info["format"], "dir": uuid.uuid4().hex,
                 **(options or {})},
        created_by=_actor(actor))
    batch.file_path = str(store_file(path, engine.batch_dir(batch), move=move))
    batch.save(update_fields=["file_path"])
    return batch, False


def batch_run(*, batch_id: int, progress: engine.ProgressFn | None = None) -> ActivityBatch:
    """Run (or resume) a prepared batch to the end."""
    return engine.run_batch(batch_id=batch_id, progress=progress)


def activities_ingest_rows(*, association: Association, source: Source, rows: list[Any],
                           channel: str = "api", actor: Any = None, reference: str = "",
                           delivery: str = "") -> ActivityBatch:
    """Ingest row objects (the API batch endpoint, a webhook delivery) in one batch, now.

    Idempotent through the source's external ids (or row digests): sending the same rows
    again adds nothing.
    """
    if not isinstance(rows, list) or not rows:
        raise ValidationFailed("Send a JSON array of row objects", fields={"rows": ["empty"]})
    if len(rows) > MAX_API_ROWS:
        raise ValidationFailed(f"At most {MAX_API_ROWS} rows per request",
                               fields={"rows": [f"{len(rows)} rows"]})
    if not source.is_active:
        raise Conflict("The source is paused", fields={"source": ["paused"]})
    records = [r if isinstance(r, dict) else {"__error": "a row must be a JSON object",
                                              "__raw": str(r)[:2000]} for r in rows]
    frame = readers.rows_frame(records, first_line=1)
    batch = ActivityBatch.objects.create(association=association, source=source,
                                         channel=channel[:8], file_name=reference[:255],
                                         file_sha256=delivery[:64],
                                         created_by=_actor(actor),
                                         options={"rows": len(rows), "dir": uuid.uuid4().hex})
    return engine.run_batch(batch_id=batch.pk, frames=[frame])


@transaction.atomic
def rejects_reprocess(*, association: Association, source: Source,
                      reject_ids: list[int] | None = None, actor: Any = None) -> dict[str, int]:
    """Run open rejects through the source's current mapping: rows that now read land
    (marked re-processed); rows still bad stay open with the new reason."""
    qs = ActivityReject.objects.filter(source=source, status=RejectStatus.OPEN)
    if reject_ids is not None:
        qs = qs.filter(pk__in=[int(i) for i in reject_ids])
    found = list(qs.order_by("id").values_list("id", "line", "raw"))
    if reject_ids is not None and len(found) != len(set(reject_ids)):
        raise NotFound("Some rejects are not open rejects of this source",
                       fields={"reject_ids": ["unknown or not open"]})
    out = {"reprocessed": 0, "created": 0, "duplicates": 0, "unmatched": 0, "still_rejected": 0}
    if not found:
        return out
    ctx = engine.context(source)
    records = [dict(raw or {}) for _, _, raw in found]
    for record in records:
        record.pop("__raw", None)
    # Lines here are positions in this list; map them back to the reject ids.
    frame = readers.rows_frame(records, first_line=0)
    activities, rejects = transform.apply(frame, ctx)
    counts = write.write_chunk(association=association, source_id=source.pk, batch_id=None,
                               activities=activities, rejects=rejects.head(0))
    ids = [pk for pk, _, _ in found]
    landed = [ids[i] for i in activities.get_column("line").to_list()]
    now = timezone.now()
    ActivityReject.objects.filter(pk__in=landed).update(status=RejectStatus.REPROCESSED,
                                                        resolved_at=now)
    still = {ids[line]: reason for line, reason in rejects.select("line", "reason").iter_rows()}
    ActivityReject.objects.bulk_update(
        [ActivityReject(pk=pk, reason=reason) for pk, reason in still.items()], ["reason"])
    out.update(reprocessed=len(landed), created=counts["created"], duplicates=counts["duplicates"],
               unmatched=counts["unmatched"], still_rejected=len(still))
    Source.objects.filter(pk=source.pk).update(
        rows_landed=F("rows_landed") + counts["created"],
        rows_unmatched=F("rows_unmatched") + counts["unmatched"],
        rows_rejected=Greatest(F("rows_rejected") - len(landed), 0))
    audit.record(association=association, action="activity.rejects_reprocessed", obj=source,
                 actor=actor, data=out)
    return out


@transaction.atomic
def rejects_dismiss(*, association: Association, source: Source,
                    reject_ids: list[int] | None = None, actor: Any = None) -> int:
    """Set open rejects aside (they stay listed as dismissed)."""
    qs = ActivityReject.objects.filter(source=source, status=RejectStatus.OPEN)
    if reject_ids is not None:
        qs = qs.filter(pk__in=[int(i) for i in reject_ids])
    count = qs.update(status=RejectStatus.DISMISSED, resolved_at=timezone.now())
    if count:
        audit.record(association=association, action="activity.rejects_dismissed", obj=source,
                     actor=actor, data={"count": count})
    return count


def preview(*, source_mapping: dict[str, Any], rows: list[dict[str, Any]]) -> tuple[list[dict], list[dict]]:
    """The first rows mapped (for the mapping form): (activities, rejects) as dicts."""
    mapping = mapping_validate(source_mapping)
    ctx = engine.context(Source(mapping=mapping))
    activities, rejects = transform.apply(readers.rows_frame(rows, first_line=2), ctx)
    activities = activities.with_columns(pl.col(pl.Decimal).cast(pl.Utf8))
    return activities.to_dicts(), rejects.to_dicts()
