"""A segment's people as a file: the roster columns of ``membership.exporting`` (so the
file imports again), CSV or XLSX (openpyxl's write-only mode, rows streamed from the
database), for the page, the API and the command alike."""

from __future__ import annotations

import tempfile
from typing import IO

from django.http import FileResponse, Http404
from django.utils.text import slugify

from commonground.membership.exporting import FORMATS, export_people
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association

from .models import Segment
from .selectors import segment_people

__all__ = ["FORMATS", "segment_export", "segment_file_response"]


def segment_export(*, association: Association, segment: Segment, fmt: str,
                   out: IO[bytes]) -> int:
    """Write the segment's people to ``out``; returns the rows written."""
    people = segment_people(segment).order_by("last_name", "first_name", "id")
    return export_people(association=association, people=people, fmt=fmt, out=out)


def segment_file_response(*, association: Association, segment: Segment,
                          fmt: str) -> FileResponse:
    if fmt not in FORMATS:
        raise Http404("Unknown format")
    # Spooled: in memory up to 8 MB, then on disk; FileResponse closes it when sent.
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    segment_export(association=association, segment=segment, fmt=fmt, out=out)
    out.seek(0)
    stamp = association_today(association).isoformat()
    name = slugify(segment.name) or f"segment-{segment.pk}"
    return FileResponse(out, as_attachment=True,
                        filename=f"{association.slug}-{name}-{stamp}.{fmt}")
