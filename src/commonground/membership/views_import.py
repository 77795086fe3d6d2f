"""Staff import pages: upload a roster, map its columns (optional step), follow its
progress, download rejected rows. Everything works as plain form posts (no JavaScript)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods, require_POST

from commonground.core.batches import tasks
from commonground.core.batches.files import find_upload, save_upload
from commonground.core.batches.ownership import is_stuck, owner_alive
from commonground.core.batches.readers import XLSX_SUFFIXES, UnreadableFile
from commonground.core.errors import DomainError, UnknownPlans
from commonground.people.models import ImportBatch
from commonground.tenancy.decorators import staff_view

from .models import ImportMapping
from .roster.engine import KIND
from .roster.mapping import header_key
from .roster.selectors import FilePreview, file_preview
from .roster.services import import_prepare
from .selectors_import import import_mapping_columns, recent_imports
from .services_import import import_mapping_save

PEOPLE = ImportMapping.Kind.PEOPLE
# The example files the page offers (package data: membership/samples/), by download name.
SAMPLES = {"roster.csv": "example-roster.csv",
           "membership-history.csv": "example-membership-history.csv"}
ACCEPTED = (".csv", ".txt", ".tsv", *XLSX_SUFFIXES)
MAX_UPLOAD = 200 * 1024 * 1024


@staff_view(admin=True)
@require_http_methods(["GET", "POST"])
def import_index(request: HttpRequest) -> HttpResponse:
    """Upload a roster. "Map columns" shows the mapping step first; the plain submit
    imports at once with the saved mapping (or the detected one)."""
    error, unknown_plans = "", []
    if request.method == "POST":
        upload = request.FILES.get("file")
        error = upload_error(upload)
        if not error:
            token, path = save_upload(upload, owner=request.association.pk,
                                      suffix=Path(upload.name).suffix)
            dayfirst = request.POST.get("dayfirst") == "on"
            columns, _ = import_mapping_columns(association=request.association, kind=PEOPLE)
            if request.POST.get("action") == "map":
                try:
                    preview = file_preview(association=request.association, path=path,
                                           saved=columns)
                except (UnreadableFile, UnicodeDecodeError) as exc:
                    path.unlink(missing_ok=True)
                    error = f"{upload.name}: {exc}"
                else:
                    return _mapping_page(request, preview, token=token, file_name=upload.name,
                                         dayfirst=dayfirst)
            else:
                try:
                    batch = _start(request, path, file_name=upload.name, dayfirst=dayfirst,
                                   columns=columns)
                except DomainError as exc:
                    path.unlink(missing_ok=True)
                    error = exc.message
                    unknown_plans = exc.names if isinstance(exc, UnknownPlans) else []
                else:
                    return redirect("import_detail", association=request.association.slug,
                                    batch_id=batch.pk)
    return index_page(request, error=error, unknown_plans=unknown_plans)


def upload_error(upload) -> str:
    """Why an uploaded file cannot be imported ("" when it can be tried)."""
    if upload is None:
        return "Choose a CSV or XLSX file to import."
    if Path(upload.name).suffix.lower() not in ACCEPTED:
        return f"{upload.name}: not a CSV or XLSX file."
    if upload.size > MAX_UPLOAD:
        return f"{upload.name}: larger than {MAX_UPLOAD // (1024 * 1024)} MB."
    return ""


def index_page(request: HttpRequest, *, error: str = "", unknown_plans: list[str] | None = None,
               history_error: str = "", **history) -> TemplateResponse:
    """The Import page: both upload forms (a refused file's error beside its form) and the
    recent imports of both kinds. ``history`` is the history form's options to show again.
    Each form's day-first box starts as its kind's saved mapping left it."""
    _, dayfirst = import_mapping_columns(association=request.association, kind=PEOPLE)
    if "options" not in history:
        _, history_dayfirst = import_mapping_columns(association=request.association,
                                                     kind=ImportMapping.Kind.MEMBERSHIPS)
        history["options"] = {"dayfirst": history_dayfirst}
    context = {"imports": recent_imports(), "error": error, "unknown_plans": unknown_plans or [],
               "history_error": history_error, "accept": ",".join(ACCEPTED),
               "dayfirst": dayfirst, **history}
    return TemplateResponse(request, "membership/import/index.html", context,
                            status=400 if error or history_error or history.get("options_error")
                            else 200)


def _mapping_page(request: HttpRequest, preview: FilePreview, *, token: str, file_name: str,
                  dayfirst: bool, error: str = "", unknown_plans: list[str] | None = None
                  ) -> TemplateResponse:
    _, saved_dayfirst = import_mapping_columns(association=request.association, kind=PEOPLE)
    return TemplateResponse(request, "membership/import/mapping.html", {
        "preview": preview, "upload": token, "file_name": file_name,
        "dayfirst": dayfirst or saved_dayfirst, "error": error,
        "unknown_plans": unknown_plans or []}, status=400 if error else 200)


@staff_view(admin=True)
@require_POST
def import_map(request: HttpRequest) -> HttpResponse:
    """Run the uploaded file with the columns chosen on the mapping step, and save them
    for the association's next file."""
    path = find_upload(request.POST.get("upload", ""), owner=request.association.pk)
    if path is None:
        messages.error(request, "That upload is gone; choose the file again.")
        return redirect("import_index", association=request.association.slug)
    file_name = request.POST.get("file_name", "")[:255] or path.name
    dayfirst = request.POST.get("dayfirst") == "on"
    saved, _ = import_mapping_columns(association=request.association, kind=PEOPLE)
    preview = file_preview(association=request.association, path=path, saved=saved)
    allowed = {value for value, _ in preview.choices}
    chosen: dict[str, str] = {}
    for column in preview.columns:
        target = request.POST.get(f"col-{column.index}", column.target)
        if column.header and target in allowed:
            chosen.setdefault(header_key(column.header), target)
        column.target = target  # shown again if the import is refused
    try:
        with transaction.atomic():
            import_mapping_save(association=request.association, kind=PEOPLE, columns=chosen,
                                dayfirst=dayfirst, actor=request.user)
            batch = _start(request, path, file_name=file_name, dayfirst=dayfirst,
                           columns=chosen)
    except DomainError as exc:
        return _mapping_page(request, preview, token=request.POST["upload"],
                             file_name=file_name, dayfirst=dayfirst, error=exc.message,
                             unknown_plans=exc.names if isinstance(exc, UnknownPlans) else None)
    return redirect("import_detail", association=request.association.slug, batch_id=batch.pk)


def _start(request: HttpRequest, path: Path, *, file_name: str, dayfirst: bool,
           columns: dict[str, str]) -> ImportBatch:
    """Prepare the batch from the upload (moved into the batch's folder) and queue it."""
    with transaction.atomic():
        batch, resumed = import_prepare(
            association=request.association, path=path, file_name=file_name,
            dayfirst=dayfirst, mapping={"columns": columns} if columns else None,
            actor=request.user, move=True)
        if not owner_alive(batch):
            tasks.enqueue(KIND.name, batch.pk)
    if resumed:
        path.unlink(missing_ok=True)
        messages.info(request, f"This file was already being imported (import {batch.pk}); "
                               "it carries on from where it stopped.")
    return batch


def _context(request: HttpRequest, batch: ImportBatch) -> dict:
    return {"batch": batch, "waiting": batch.status == "pending", "stuck": is_stuck(batch)}


@staff_view(admin=True)
def import_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch, pk=batch_id)
    return TemplateResponse(request, "membership/import/detail.html", _context(request, batch))


@staff_view(admin=True)
def import_progress(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch, pk=batch_id)
    response = TemplateResponse(request, "membership/import/_progress.html",
                                _context(request, batch))
    if batch.is_finished and request.htmx:
        # The summary (counts, errors link) is on the full page: reload it once.
        response["HX-Refresh"] = "true"
    return response


@staff_view(admin=True)
def import_errors(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch, pk=batch_id)
    path = Path(batch.errors_file) if batch.errors_file else None
    if path is None or not path.is_file():
        raise Http404("No errors file")
    return FileResponse(open(path, "rb"), as_attachment=True,
                        filename=f"import-{batch.pk}-errors.csv", content_type="text/csv")


@staff_view(admin=True)
def import_sample(request: HttpRequest, example: str) -> HttpResponse:
    """A small example file of each kind, in the shape the import reads (a roster; a
    membership history in the CiviCRM / Wild Apricot style), to see or to try."""
    if example not in SAMPLES:
        raise Http404("No such example")
    content = (resources.files("commonground.membership") / "samples" / example).read_bytes()
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{SAMPLES[example]}"'
    return response
