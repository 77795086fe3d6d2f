"""Staff import pages for a membership history (one row per term, renewal or payment):
upload, map its columns (optional step), follow its progress, download rejected rows.
Plain form posts throughout; HTMX only makes the progress live."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from commonground.core.batches import tasks
from commonground.core.batches.files import find_upload, save_upload
from commonground.core.batches.ownership import is_stuck, owner_alive
from commonground.core.batches.readers import UnreadableFile
from commonground.core.errors import DomainError, UnknownPlans
from commonground.tenancy.decorators import staff_view

from .history.engine import KIND
from .history.services import history_prepare
from .lifecycle import parse_term
from .models import HistoryBatch
from .roster.mapping import header_key
from .roster.selectors import FilePreview
from .selectors_import import history_field_label, history_file_preview
from .views_import import index_page, upload_error


@dataclass
class HistoryOptions:
    """The history form's options, as typed (shown again) and as the import takes them."""

    dayfirst: bool = False
    create_plans: bool = False
    plan_term: str = ""
    months: int | None = None  # the term of plans to create; None: create none


def _options(data: QueryDict) -> tuple[HistoryOptions, str]:
    """(options, error): creating plans needs their term, in months or a word."""
    options = HistoryOptions(dayfirst=data.get("dayfirst") == "on",
                             create_plans=data.get("create_plans") == "on",
                             plan_term=data.get("plan_term", "").strip()[:40])
    if not options.create_plans:
        return options, ""
    if not options.plan_term:
        return options, "Give the term of the plans to create: a number of months, or monthly, " \
                        "quarterly, annual or lifetime."
    try:
        options.months = parse_term(options.plan_term)
    except ValueError as exc:
        return options, f"Term of the plans to create: {exc}"
    return options, ""


def _for_the_page(message: str) -> str:
    """A refusal worded for the command line, for the mapping step (which is the page's
    answer to "give a --mapping file")."""
    return message.replace(" Give a --mapping file.", "")


@staff_view(admin=True)
@require_http_methods(["GET", "POST"])
def import_history_index(request: HttpRequest) -> HttpResponse:
    """Upload a membership history. "Preview and map" shows the mapping step first; the
    plain submit imports at once with the recognised columns."""
    if request.method == "GET":
        return redirect(reverse("import_index", kwargs={"association": request.association.slug})
                        + "#history-h")
    upload = request.FILES.get("file")
    options, options_error = _options(request.POST)
    error = upload_error(upload)
    if error or options_error:
        return index_page(request, history_error=error, options=options,
                          options_error=options_error)
    token, path = save_upload(upload, owner=request.association.pk,
                              suffix=Path(upload.name).suffix)
    try:
        preview = history_file_preview(path=path)
        unreadable = "" if preview.columns else "the file is empty"
    except (UnreadableFile, UnicodeDecodeError) as exc:
        unreadable = str(exc)
    if unreadable:
        path.unlink(missing_ok=True)
        return index_page(request, history_error=f"{upload.name}: {unreadable}", options=options)
    page = {"token": token, "file_name": upload.name, "options": options}
    if request.POST.get("action") == "map":
        return _mapping_page(request, preview, **page)
    try:
        batch = _start(request, path, file_name=upload.name, options=options, columns=None)
    except UnknownPlans as exc:
        # The upload stays: the mapping step shows the error beside the option that fixes it.
        return _mapping_page(request, preview, **page, error=exc.message,
                             unknown_plans=exc.names)
    except DomainError as exc:
        # The file reads, so what is wrong is in its columns: the step that maps them.
        return _mapping_page(request, preview, **page, error=_for_the_page(exc.message))
    return redirect("import_history_detail", association=request.association.slug,
                    batch_id=batch.pk)


def _mapping_page(request: HttpRequest, preview: FilePreview, *, token: str, file_name: str,
                  options: HistoryOptions, error: str = "", options_error: str = "",
                  unknown_plans: list[str] | None = None) -> TemplateResponse:
    return TemplateResponse(request, "membership/import/history_mapping.html", {
        "preview": preview, "upload": token, "file_name": file_name, "options": options,
        "error": error, "options_error": options_error, "unknown_plans": unknown_plans or []},
        status=400 if error or options_error else 200)


@staff_view(admin=True)
@require_POST
def import_history_map(request: HttpRequest) -> HttpResponse:
    """Run the uploaded history with the columns chosen on the mapping step."""
    path = find_upload(request.POST.get("upload", ""), owner=request.association.pk)
    if path is None:
        messages.error(request, "That upload is gone; choose the file again.")
        return redirect(reverse("import_index", kwargs={"association": request.association.slug})
                        + "#history-h")
    file_name = request.POST.get("file_name", "")[:255] or path.name
    options, options_error = _options(request.POST)
    preview = history_file_preview(path=path)
    allowed = {value for value, _ in preview.choices}
    chosen: dict[str, str] = {}
    for column in preview.columns:
        target = request.POST.get(f"col-{column.index}", column.target)
        if column.header and target in allowed:
            chosen.setdefault(header_key(column.header), target)
        column.target = target  # shown again if the import is refused
    page = {"token": request.POST["upload"], "file_name": file_name, "options": options}
    if options_error:
        return _mapping_page(request, preview, **page, options_error=options_error)
    try:
        batch = _start(request, path, file_name=file_name, options=options, columns=chosen)
    except UnknownPlans as exc:
        return _mapping_page(request, preview, **page, error=exc.message,
                             unknown_plans=exc.names)
    except DomainError as exc:
        return _mapping_page(request, preview, **page, error=_for_the_page(exc.message))
    return redirect("import_history_detail", association=request.association.slug,
                    batch_id=batch.pk)


def _start(request: HttpRequest, path: Path, *, file_name: str, options: HistoryOptions,
           columns: dict[str, str] | None) -> HistoryBatch:
    """Prepare the batch from the upload (moved into the batch's folder) and queue it on
    commit. Nothing is written when the file or its plans are refused."""
    with transaction.atomic():
        batch, resumed = history_prepare(
            association=request.association, path=path, file_name=file_name,
            dayfirst=options.dayfirst, mapping={"columns": columns} if columns else None,
            create_plans_term=options.months, actor=request.user, move=True)
        if not owner_alive(batch):
            tasks.enqueue(KIND.name, batch.pk)
    if resumed:
        path.unlink(missing_ok=True)
        messages.info(request, f"This file was already being imported (history import "
                               f"{batch.pk}); it carries on from where it stopped.")
    return batch


def _context(batch: HistoryBatch) -> dict:
    return {"batch": batch, "waiting": batch.status == "pending", "stuck": is_stuck(batch),
            "columns_used": [(header, history_field_label(name))
                             for name, header in (batch.mapped_headers or {}).items()]}


@staff_view(admin=True)
def import_history_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = get_object_or_404(HistoryBatch, pk=batch_id)
    return TemplateResponse(request, "membership/import/history_detail.html", _context(batch))


@staff_view(admin=True)
def import_history_progress(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = get_object_or_404(HistoryBatch, pk=batch_id)
    response = TemplateResponse(request, "membership/import/_history_progress.html",
                                _context(batch))
    if batch.is_finished and request.htmx:
        # The summary (counts, rejected rows) is on the full page: reload it once.
        response["HX-Refresh"] = "true"
    return response


@staff_view(admin=True)
def import_history_errors(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = get_object_or_404(HistoryBatch, pk=batch_id)
    path = Path(batch.errors_file) if batch.errors_file else None
    if path is None or not path.is_file():
        raise Http404("No errors file")
    return FileResponse(open(path, "rb"), as_attachment=True,
                        filename=f"history-import-{batch.pk}-errors.csv",
                        content_type="text/csv")
