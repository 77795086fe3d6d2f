"""Staff pages for activity sources: list and create, mapping editor with preview, upload
with progress, batches, and the rejects of a source (download, re-process, dismiss)."""

from __future__ import annotations

import csv
import io
import tempfile
import tomllib
from pathlib import Path

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse

from commonground.core.batches import readers, tasks
from commonground.core.batches.files import save_upload
from commonground.core.batches.ownership import owner_alive
from commonground.core.batches.readers import XLSX_SUFFIXES
from commonground.core.errors import DomainError
from commonground.tenancy.decorators import staff_view

from . import services
from .ingest.engine import KIND
from .mapping import mapping_to_toml, mapping_validate
from .models import ActivityBatch, ActivityReject, ProfileKind, RejectStatus, Source

ACCEPTED = (".csv", ".txt", ".tsv", ".jsonl", ".ndjson", ".json", *XLSX_SUFFIXES)
MAX_UPLOAD = 2 * 1024 * 1024 * 1024
PREVIEW_ROWS = 10


def _post_only(request: HttpRequest) -> HttpResponse | None:
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


@staff_view
def source_list(request: HttpRequest) -> HttpResponse:
    errors: dict = {}
    if request.method == "POST":
        try:
            source = services.source_create(association=request.association,
                                            name=request.POST.get("name", ""),
                                            profile=request.POST.get("profile", ""),
                                            actor=request.user)
        except DomainError as exc:
            errors = exc.fields or {"name": [exc.message]}
        else:
            messages.success(request, f"Source created. Webhook secret (shown once, keep it): "
                                      f"{source.webhook_secret}")
            return redirect("source_detail", association=request.association.slug,
                            source_id=source.pk)
    profiles = [(k, label) for k, label in ProfileKind.choices if k != ProfileKind.CUSTOM]
    return TemplateResponse(request, "activity/source_list.html", {
        "sources": Source.objects.all(), "profiles": profiles, "errors": errors},
        status=422 if errors else 200)


def _preview(mapping: dict, sample) -> tuple[list[str], list[dict], list[dict]]:
    """The first rows of a sample file mapped with ``mapping`` (nothing is written)."""
    with tempfile.TemporaryDirectory(prefix="cg-preview-") as tmp:
        path = Path(tmp) / f"sample{Path(sample.name).suffix.lower() or '.csv'}"
        with open(path, "wb") as fh:
            for part in sample.chunks():
                fh.write(part)
        header, info = readers.read_header(path)
        if info["format"] == "csv":
            path = readers.utf8_copy(path, Path(tmp))
        block = next(readers.iter_blocks(path, header, info, offset=0, first_line=2,
                                         block_bytes=256 * 1024, block_rows=PREVIEW_ROWS), None)
        rows = block.frame.head(PREVIEW_ROWS).drop(readers.LINE).to_dicts() if block else []
    activities, rejects = services.preview(source_mapping=mapping, rows=rows)
    return header, activities, rejects


@staff_view
def source_detail(request: HttpRequest, source_id: int) -> HttpResponse:
    source = get_object_or_404(Source, pk=source_id)
    toml_text = mapping_to_toml(source.mapping)
    errors: dict = {}
    preview = None
    if request.method == "POST":
        toml_text = request.POST.get("mapping", "")
        try:
            try:
                data = tomllib.loads(toml_text)
            except tomllib.TOMLDecodeError as exc:
                raise DomainError(f"Not valid TOML: {exc}", fields={"mapping": [str(exc)]}) from None
            mapping = mapping_validate(data)
            if request.POST.get("action") == "preview":
                sample = request.FILES.get("sample")
                if sample is None:
                    raise DomainError("Choose a sample file to preview",
                                      fields={"sample": ["required for a preview"]})
                header, activities, rejects = _preview(mapping, sample)
                preview = {"header": header, "activities": activities, "rejects": rejects}
            else:
                services.source_update(association=request.association, source=source,
                                       mapping=mapping, name=request.POST.get("name") or None,
                                       actor=request.user)
                messages.success(request, "Mapping saved. Re-process the open rejects to apply it.")
                return redirect("source_detail", association=request.association.slug,
                                source_id=source.pk)
        except (DomainError, readers.UnreadableFile) as exc:
            errors = getattr(exc, "fields", None) or {"mapping": [str(exc)]}
    return TemplateResponse(request, "activity/source_detail.html", {
        "source": source, "mapping_text": toml_text, "errors": errors, "preview": preview,
        "batches": ActivityBatch.objects.filter(source=source)[:20],
        "open_rejects": ActivityReject.objects.filter(source=source, status=RejectStatus.OPEN).count(),
        "accept": ",".join(ACCEPTED)}, status=422 if errors else 200)


@staff_view
def source_rotate(request: HttpRequest, source_id: int) -> HttpResponse:
    source = get_object_or_404(Source, pk=source_id)
    if (refused := _post_only(request)) is not None:
        return refused
    secret = services.source_rotate_secret(association=request.association, source=source,
                                           actor=request.user)
    messages.success(request, f"New webhook secret (shown once, keep it): {secret}. "
                              "The old one no longer works.")
    return redirect("source_detail", association=request.association.slug, source_id=source.pk)


@staff_view
def source_upload(request: HttpRequest, source_id: int) -> HttpResponse:
    source = get_object_or_404(Source, pk=source_id)
    if (refused := _post_only(request)) is not None:
        return refused
    upload = request.FILES.get("file")
    if upload is None or upload.size > MAX_UPLOAD:
        messages.error(request, "Choose an export file (CSV, XLSX or JSON Lines) up to 2 GB.")
        return redirect("source_detail", association=request.association.slug, source_id=source.pk)
    _, name = save_upload(upload, owner=request.association.pk,
                          suffix=Path(upload.name).suffix or ".csv")
    try:
        with transaction.atomic():
            batch, resumed = services.activities_prepare(
                association=request.association, source=source, path=name,
                file_name=upload.name, actor=request.user, move=True)
            if not owner_alive(batch):
                tasks.enqueue(KIND.name, batch.pk)
    except DomainError as exc:
        name.unlink(missing_ok=True)
        messages.error(request, exc.message)
        return redirect("source_detail", association=request.association.slug, source_id=source.pk)
    if resumed:
        name.unlink(missing_ok=True)
        messages.info(request, f"This file was already being ingested (batch {batch.pk}); it "
                               "carries on from where it stopped.")
    return redirect("batch_detail", association=request.association.slug,
                    activity_batch_id=batch.pk)


@staff_view
def batch_list(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "activity/batch_list.html", {
        "batches": ActivityBatch.objects.select_related("source", "created_by")[:100]})


def _batch_context(batch: ActivityBatch) -> dict:
    size = int(batch.options.get("size") or 0)
    done = batch.status == "done"
    percent = 100 if done else (min(99, batch.bytes_done * 100 // size) if size else 0)
    return {"batch": batch, "percent": percent, "finished": batch.status in ("done", "failed"),
            "waiting": batch.status == "pending",
            "stuck": batch.status == "running" and not owner_alive(batch)}


@staff_view
def batch_detail(request: HttpRequest, activity_batch_id: int) -> HttpResponse:
    batch = get_object_or_404(ActivityBatch.objects.select_related("source"), pk=activity_batch_id)
    return TemplateResponse(request, "activity/batch_detail.html", _batch_context(batch))


@staff_view
def batch_progress(request: HttpRequest, activity_batch_id: int) -> HttpResponse:
    batch = get_object_or_404(ActivityBatch.objects.select_related("source"), pk=activity_batch_id)
    context = _batch_context(batch)
    response = TemplateResponse(request, "activity/batch_progress.html", context)
    if context["finished"] and request.htmx:
        response["HX-Refresh"] = "true"  # the summary is on the full page
    return response


@staff_view
def batch_errors(request: HttpRequest, activity_batch_id: int) -> HttpResponse:
    batch = get_object_or_404(ActivityBatch, pk=activity_batch_id)
    path = Path(batch.errors_file) if batch.errors_file else None
    if path is None or not path.is_file():
        raise Http404("No errors file")
    response = HttpResponse(path.read_bytes(), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="activity-batch-{batch.pk}-errors.csv"'
    return response


@staff_view
def reject_list(request: HttpRequest, source_id: int) -> HttpResponse:
    source = get_object_or_404(Source, pk=source_id)
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("reject_ids") if i.isdigit()] or None
        try:
            if request.POST.get("action") == "dismiss":
                count = services.rejects_dismiss(association=request.association, source=source,
                                                 reject_ids=ids, actor=request.user)
                messages.success(request, f"{count} rows dismissed.")
            else:
                out = services.rejects_reprocess(association=request.association, source=source,
                                                 reject_ids=ids, actor=request.user)
                messages.success(request, f"{out['reprocessed']} rows landed ({out['created']} new, "
                                          f"{out['duplicates']} already there); "
                                          f"{out['still_rejected']} still rejected.")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("reject_list", association=request.association.slug, source_id=source.pk)
    status = request.GET.get("status") or RejectStatus.OPEN
    if status not in RejectStatus.values:
        status = RejectStatus.OPEN
    rejects = ActivityReject.objects.filter(source=source, status=status).order_by("id")
    return TemplateResponse(request, "activity/reject_list.html", {
        "source": source, "rejects": rejects[:200], "total": rejects.count(), "status": status,
        "statuses": RejectStatus.choices})


@staff_view
def reject_download(request: HttpRequest, source_id: int) -> HttpResponse:
    source = get_object_or_404(Source, pk=source_id)
    rows = ActivityReject.objects.filter(source=source, status=RejectStatus.OPEN).order_by("id")
    columns: list[str] = []
    for raw in rows.values_list("raw", flat=True)[:1000]:
        columns += [k for k in (raw or {}) if k not in columns]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*columns, "line", "reason"])
    for line, reason, raw in rows.values_list("line", "reason", "raw").iterator(2000):
        writer.writerow([*((raw or {}).get(c) or "" for c in columns), line, reason])
    response = HttpResponse(out.getvalue(), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{source.slug}-rejects.csv"'
    return response


@staff_view
def reject_dismiss(request: HttpRequest, source_id: int, reject_id: int) -> HttpResponse:
    source = get_object_or_404(Source, pk=source_id)
    reject = get_object_or_404(ActivityReject, pk=reject_id, source=source)
    if (refused := _post_only(request)) is not None:
        return refused
    services.rejects_dismiss(association=request.association, source=source,
                             reject_ids=[reject.pk], actor=request.user)
    return redirect("reject_list", association=request.association.slug, source_id=source.pk)
