"""Writing people to CSV or XLSX, in the columns the roster importer reads (people with
their latest membership, so it lives with membership).

Exporting a roster and importing the file again changes nothing. People are streamed
from the database (``iterator``) and written as they come, so memory stays flat.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import IO, Any

from django.db.models import OuterRef, QuerySet, Subquery

from commonground.people.models import CustomFieldDefinition, Person, Relationship, RelationshipKind
from commonground.tenancy.models import Association

from .models import Membership
from .roster.mapping import CANONICAL, custom_header

FORMATS = ("csv", "xlsx")
_PERSON_COLUMNS = ("external_id", "first_name", "last_name", "email", "phone", "organisation",
                   "chapter", "address_line1", "address_line2", "city", "region", "postal_code",
                   "country", "plan", "joined_on", "expires_on")


def _annotated(people: QuerySet[Person]) -> QuerySet[Person]:
    latest = Membership.objects.filter(person=OuterRef("pk")).order_by("-ends_on", "-id")
    employer = (Relationship.objects.filter(person=OuterRef("pk"), kind=RelationshipKind.EMPLOYEE)
                .order_by("-id").values("organisation__name")[:1])
    # Whatever the caller passes (``person_search`` already leaves erased people out), a
    # roster file never carries an erased person: the file is for re-import.
    return (people.filter(erased_at__isnull=True)
            .annotate(x_plan=Subquery(latest.values("plan__name")[:1]),
                      x_joined=Subquery(latest.values("joined_on")[:1]),
                      x_expires=Subquery(latest.values("ends_on")[:1]),
                      x_status=Subquery(latest.values("status")[:1]),
                      x_org=Subquery(employer))
            .select_related("chapter").order_by("id"))


def rows(*, association: Association, people: QuerySet[Person]) -> Iterator[list[Any]]:
    """The header row, then one row per person (dates as ISO text)."""
    definitions = list(CustomFieldDefinition.objects.all())
    yield ([CANONICAL[c] for c in _PERSON_COLUMNS] + ["Membership Status"]
           + [custom_header(d.key, d.label) for d in definitions])
    for p in _annotated(people).iterator(chunk_size=2000):
        values = {
            "external_id": p.external_id, "first_name": p.first_name, "last_name": p.last_name,
            "email": p.email, "phone": p.phone, "organisation": p.x_org or "",
            "chapter": p.chapter.name if p.chapter_id else "",
            "address_line1": p.address_line1, "address_line2": p.address_line2, "city": p.city,
            "region": p.region, "postal_code": p.postal_code, "country": p.country,
            "plan": p.x_plan or "",
            "joined_on": p.x_joined.isoformat() if p.x_joined else "",
            "expires_on": p.x_expires.isoformat() if p.x_expires else "",
        }
        custom = p.custom or {}
        yield ([values[c] for c in _PERSON_COLUMNS] + [p.x_status or ""]
               + [_custom_text(custom.get(d.key)) for d in definitions])


def _custom_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def export_people(*, association: Association, people: QuerySet[Person], fmt: str,
                  out: IO[bytes]) -> int:
    """Write ``people`` to the binary file ``out`` as CSV or XLSX; returns the rows written.

    Call inside the association's scope. ``people`` may be any filtered Person queryset.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    count = -1
    if fmt == "csv":
        # utf-8 with a BOM: Excel then opens accents correctly; the importer skips the BOM.
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
        writer = csv.writer(text)
        for row in rows(association=association, people=people):
            writer.writerow(row)
            count += 1
        text.flush()
        text.detach()
        return count
    # openpyxl only for XLSX: it costs a tenth of a second to load, CSV exports never need it.
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("People")
    for row in rows(association=association, people=people):
        sheet.append(row)
        count += 1
    workbook.save(out)
    return count
