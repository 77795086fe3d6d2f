"""What one roster import run knows while it writes chunks: the association, its plans,
chapters, organisations and custom fields, the cleaner for the file's columns, and what
earlier chunks saw (emails and ids, for duplicates within the file).

``chunk`` and ``members`` work on it; ``engine.RosterRun`` (the driving loop) extends it.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.text import slugify

from commonground.membership.models import Plan
from commonground.people.models import Chapter, CustomFieldDefinition, ImportBatch
from commonground.tenancy.clock import association_today

from .frame import ChunkCleaner
from .rows import PlanRef, RowError, cell_text


class RunState:
    cleaner: ChunkCleaner
    header: list[str]

    def __init__(self, batch: ImportBatch) -> None:
        self.batch = batch
        self.association = batch.association
        self.options = batch.options or {}
        self.today = association_today(self.association)  # the association's date, not the server's
        self.actor_id = batch.created_by_id
        self.seen_emails: dict[str, int] = {}
        self.seen_external: dict[str, int] = {}
        self.chapters = dict(Chapter.objects.values_list("slug", "id"))
        self.chapter_names: dict[str, int] = {}
        self.organisations: dict[str, int] = {}
        self.addresses: dict[tuple, tuple] = {}  # distinct address → (region, postal, country, error)
        plans = [PlanRef(p.id, p.name, p.slug, p.kind, p.term_months, p.grace, p.window_days)
                 for p in Plan.objects.all()]
        self.plans_by_id = {p.id: p for p in plans}
        self.definitions = list(CustomFieldDefinition.objects.all())

    def reject(self, errors: list[list[Any]], row: list[Any], line: int, reason: str) -> None:
        cells = [cell_text(c) for c in row]
        cells += [""] * (len(self.header) - len(cells))
        errors.append([*cells[:max(len(self.header), len(cells))], line, reason])

    def now(self):
        return timezone.now()

    def now_text(self, value) -> str:
        """A datetime as the database takes it in text (bulk writes send text)."""
        if isinstance(value, str):
            return value
        if connection.vendor == "sqlite":
            return connection.ops.adapt_datetimefield_value(value)
        return value.isoformat()

    def chapter_id(self, name: str) -> int:
        if name in self.chapter_names:
            return self.chapter_names[name]
        slug = slugify(name)[:64]
        if not slug:
            raise RowError(f"{self.cleaner.header('chapter')}: {name!r} is not a chapter name")
        if slug not in self.chapters:
            chapter, _ = Chapter.objects.get_or_create(association=self.association, slug=slug,
                                                       defaults={"name": name})
            self.chapters[slug] = chapter.pk
        self.chapter_names[name] = self.chapters[slug]
        return self.chapters[slug]
