"""Staff import pages: upload a roster, follow its progress, download rejected rows."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from commonground.core.errors import DomainError
from commonground.tenancy.decorators import staff_view

from .importing.engine import owner_alive
from .importing.readers import XLSX_SUFFIXES
from .importing.services import import_prepare
from .models import ImportBatch

ACCEPTED = (".csv", ".txt", ".tsv", *XLSX_SUFFIXES)
MAX_UPLOAD = 200 * 1024 * 1024


@staff_view(admin=True)
@require_http_methods(["GET", "POST"])
def import_index(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        suffix = Path(upload.name).suffix.lower() if upload else ""
        if upload is None:
            error = "Choose a CSV or XLSX file to import."
        elif suffix not in ACCEPTED:
            error = f"{upload.name}: not a CSV or XLSX file."
        elif upload.size > MAX_UPLOAD:
            error = f"{upload.name}: larger than {MAX_UPLOAD // (1024 * 1024)} MB."
        else:
            try:
                batch = _start(request, upload, suffix)
            except DomainError as exc:
                error = exc.message
            else:
                return redirect("import_detail", association=request.association.slug,
                                batch_id=batch.pk)
    batches = ImportBatch.objects.select_related("created_by")[:50]
    return TemplateResponse(request, "people/import/index.html",
                            {"batches": batches, "error": error, "accept": ",".join(ACCEPTED)},
                            status=400 if error else 200)


def _start(request: HttpRequest, upload, suffix: str) -> ImportBatch:
    from .tasks import run_import

    with tempfile.TemporaryDirectory(prefix="cg-upload-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        with open(path, "wb") as fh:
            for part in upload.chunks():
                fh.write(part)
        with transaction.atomic():
            batch, resumed = import_prepare(
                association=request.association, path=path, file_name=upload.name,
                dayfirst=request.POST.get("dayfirst") == "on", actor=request.user)
            if not owner_alive(batch):
                transaction.on_commit(lambda: run_import.enqueue(batch.pk))
    if resumed:
        messages.info(request, f"This file was already being imported (import {batch.pk}); "
                               "it carries on from where it stopped.")
    return batch


def _context(request: HttpRequest, batch: ImportBatch) -> dict:
    return {"batch": batch, "waiting": batch.status == "pending",
            "stuck": batch.status == "running" and not owner_alive(batch)}


@staff_view(admin=True)
def import_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch, pk=batch_id)
    return TemplateResponse(request, "people/import/detail.html", _context(request, batch))


@staff_view(admin=True)
def import_progress(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch, pk=batch_id)
    response = TemplateResponse(request, "people/import/_progress.html", _context(request, batch))
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
