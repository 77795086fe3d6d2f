"""Running a roster import: chunk by chunk, each chunk one transaction.

Per chunk: clean rows (``rows``), fetch the people they match in one query (by email key,
or external id for rows without email), then write in bulk — new people with their
history rows, changed fields of existing people, organisations, relationships,
chapters, memberships with a term and a ``joined`` transition, renewal terms for later
expiries. ``rows_done`` and the counts commit with the chunk, so a crash loses at most the
chunk in flight and a rerun resumes after the last one that committed.
"""

from __future__ import annotations

import csv
import json
import os
import socket
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django_scopes import scope, scopes_disabled

from commonground.core.errors import ValidationFailed
from commonground.membership import lifecycle
from commonground.membership.models import Membership, Plan, Status, Term, TermKind, Transition
from commonground.people.models import (
    Chapter,
    CustomFieldDefinition,
    ImportBatch,
    ImportStatus,
    Organisation,
    Person,
    Relationship,
    RelationshipKind,
)
from commonground.people.normalise import ADDRESS_FIELDS
from commonground.tenancy import audit

from . import dbwrite
from .fastnorm import fast_address, fast_email, fast_phone
from .mapping import resolve
from .readers import UnreadableFile, open_rows
from .rows import CleanRow, PlanRef, RowCleaner, RowError, cell_text

ProgressFn = Callable[[int, int], None]

PERSON_TEXT = ("first_name", "last_name", "email", "phone", *ADDRESS_FIELDS, "external_id")
PERSON_COLUMNS = dbwrite.model_columns(Person)
PERSON_HISTORY = dbwrite.history_columns(Person)
ORG_COLUMNS = [c for c in dbwrite.model_columns(Organisation) if c != "id"]
MEMBERSHIP_COLUMNS = dbwrite.model_columns(Membership)
MEMBERSHIP_HISTORY = dbwrite.history_columns(Membership)
TERM_COLUMNS = [c for c in dbwrite.model_columns(Term) if c != "id"]
TRANSITION_COLUMNS = [c for c in dbwrite.model_columns(Transition) if c != "id"]
RELATIONSHIP_COLUMNS = [c for c in dbwrite.model_columns(Relationship) if c != "id"]


class BatchBusy(RuntimeError):
    """Another process is running this batch."""


def imports_dir(batch_id: int) -> Path:
    path = Path(settings.DATA_DIR) / "imports" / str(batch_id)
    path.mkdir(parents=True, exist_ok=True)
    return path


def owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_alive(batch: ImportBatch, *, stale_after: timedelta = timedelta(minutes=2)) -> bool:
    """Is the process that claimed the batch still working on it?"""
    if not batch.owner or batch.status != ImportStatus.RUNNING:
        return False
    host, _, pid = batch.owner.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return bool(batch.heartbeat_at and timezone.now() - batch.heartbeat_at < stale_after)


def claim(batch_id: int, owner: str) -> ImportBatch | None:
    """Take the batch for this process, unless it is finished or someone live holds it."""
    with scopes_disabled(), transaction.atomic():
        batch = ImportBatch.objects.select_for_update().select_related("association").get(
            pk=batch_id)
        if batch.status == ImportStatus.DONE:
            return None
        if batch.owner != owner and owner_alive(batch):
            return None
        batch.status = ImportStatus.RUNNING
        batch.owner = owner
        batch.heartbeat_at = timezone.now()
        batch.started_at = batch.started_at or batch.heartbeat_at
        batch.message = ""
        batch.save(update_fields=["status", "owner", "heartbeat_at", "started_at", "message"])
        return batch


def run_batch(*, batch_id: int, progress: ProgressFn | None = None) -> ImportBatch:
    """Run (or resume) a prepared batch to the end. Returns the batch as finished.

    If another live process holds the batch, returns it untouched (the caller may poll).
    """
    owner = owner_id()
    batch = claim(batch_id, owner)
    if batch is None:
        with scopes_disabled():
            return ImportBatch.objects.select_related("association").get(pk=batch_id)
    with scope(association=batch.association):
        try:
            _Run(batch, owner, progress).run()
        except BatchBusy:
            pass
        except Exception as exc:
            ImportBatch.objects.filter(pk=batch.pk, owner=owner).update(
                status=ImportStatus.FAILED, message=f"{type(exc).__name__}: {exc}"[:2000],
                owner="")
            raise
        return ImportBatch.objects.get(pk=batch.pk)


class _Run:
    def __init__(self, batch: ImportBatch, owner: str, progress: ProgressFn | None) -> None:
        self.batch = batch
        self.association = batch.association
        self.owner = owner
        self.progress = progress
        self.options = batch.options or {}
        self.chunk_rows = int(self.options.get("chunk_rows", 5000))
        self.dir = imports_dir(batch.pk)
        self.today = timezone.localdate()
        self.actor_id = batch.created_by_id
        self.seen_emails: dict[str, int] = {}
        self.seen_external: dict[str, int] = {}
        self.chapters = dict(Chapter.objects.values_list("slug", "id"))
        self.chapter_names: dict[str, int] = {}
        self.organisations: dict[str, int] = {}
        plans = [PlanRef(p.id, p.name, p.slug, p.kind, p.term_months, p.grace_days)
                 for p in Plan.objects.all()]
        self.plans_by_id = {p.id: p for p in plans}
        self.definitions = list(CustomFieldDefinition.objects.all())
        self.window = self.association.renewal_window_days

    # ------------------------------------------------------------ driving

    def run(self) -> None:
        path = Path(self.batch.file_path)
        try:
            rows = open_rows(path)
            header = next(rows, None)
            if header is None:
                raise UnreadableFile("the file is empty")
            self.header = [cell_text(h) for h in header]
            mapping = resolve(self.header,
                              custom_fields=[(d.key, d.label) for d in self.definitions],
                              overrides=self.options.get("columns"))
        except (UnreadableFile, ValueError) as exc:
            raise ValidationFailed(str(exc), fields={"file": [str(exc)]}) from None
        self.cleaner = RowCleaner(mapping, definitions=self.definitions,
                                  plans=list(self.plans_by_id.values()),
                                  dayfirst=bool(self.options.get("dayfirst")))
        self.email_index = mapping.columns.get("email")
        self.external_index = mapping.columns.get("external_id")
        done = self.batch.rows_done
        offset = 0
        chunk: list[list[Any]] = []
        for row in rows:
            if offset < done:
                self._remember(row, offset)  # rebuild what earlier chunks saw
                offset += 1
                continue
            chunk.append(row)
            if len(chunk) >= self.chunk_rows:
                self._commit_chunk(offset, chunk)
                offset += len(chunk)
                chunk = []
        if chunk:
            self._commit_chunk(offset, chunk)
            offset += len(chunk)
        self._finish(offset)

    def _remember(self, row: list[Any], offset: int) -> None:
        line = offset + 2
        key = ""
        if self.email_index is not None and self.email_index < len(row):
            try:
                key = fast_email(cell_text(row[self.email_index])).lower()
            except ValidationFailed:
                key = ""
        if key:
            self.seen_emails.setdefault(key, line)
        elif self.external_index is not None and self.external_index < len(row):
            ext = cell_text(row[self.external_index])
            if ext:
                self.seen_external.setdefault(ext, line)

    def _commit_chunk(self, offset: int, rows: list[list[Any]]) -> None:
        errors: list[list[Any]] = []
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().get(pk=self.batch.pk)
            if locked.rows_done != offset or locked.owner != self.owner:
                raise BatchBusy()
            counts = self._process(offset, rows, errors)
            part = self.dir / f"errors-{offset:010d}.part"
            if errors:
                errors.sort(key=lambda e: e[-2])  # by line
                with open(part, "w", encoding="utf-8", newline="") as fh:
                    csv.writer(fh).writerows(errors)
            elif part.exists():
                part.unlink()
            ImportBatch.objects.filter(pk=self.batch.pk).update(
                rows_done=offset + len(rows), heartbeat_at=timezone.now(),
                **{k: F(k) + v for k, v in counts.items()})
        if self.progress:
            self.progress(offset + len(rows), self.batch.total_rows or 0)

    def _finish(self, total: int) -> None:
        with transaction.atomic():
            batch = ImportBatch.objects.select_for_update().get(pk=self.batch.pk)
            if batch.owner != self.owner:
                raise BatchBusy()
            errors_file = ""
            parts = sorted(self.dir.glob("errors-*.part"))
            if batch.rejected:
                out = self.dir / "errors.csv"
                with open(out, "w", encoding="utf-8", newline="") as fh:
                    csv.writer(fh).writerow([*self.header, "line", "reason"])
                    for part in parts:
                        if int(part.stem.split("-")[1]) < total:
                            fh.write(part.read_text(encoding="utf-8"))
                errors_file = str(out)
            for part in parts:
                part.unlink()
            batch.status = ImportStatus.DONE
            batch.errors_file = errors_file
            batch.total_rows = total
            batch.finished_at = timezone.now()
            batch.owner = ""
            batch.save()
            audit.record(association=self.association, action="people.imported", obj=batch,
                         actor=batch.created_by,
                         data={"file": batch.file_name, "sha256": batch.file_sha256,
                               "rows": total, "created": batch.created, "updated": batch.updated,
                               "unchanged": batch.unchanged, "rejected": batch.rejected})
        self.batch = batch

    # ------------------------------------------------------------ one chunk

    def _reject(self, errors: list[list[Any]], row: list[Any], line: int, reason: str) -> None:
        cells = [cell_text(c) for c in row]
        cells += [""] * (len(self.header) - len(cells))
        errors.append([*cells[:max(len(self.header), len(cells))], line, reason])

    def _process(self, offset: int, rows: list[list[Any]], errors: list[list[Any]]
                 ) -> dict[str, int]:
        counts = {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0,
                  "memberships_created": 0, "memberships_renewed": 0}
        clean_rows: list[tuple[CleanRow, list[Any]]] = []
        for i, row in enumerate(rows):
            line = offset + i + 2  # the header is line 1
            if not any(c not in (None, "") for c in row):
                continue  # blank line
            try:
                clean = self.cleaner.clean(row, line)
                if clean.email_key:
                    first = self.seen_emails.setdefault(clean.email_key, line)
                    if first != line:
                        raise RowError(f"duplicate email in this file (first on line {first})")
                elif ext := clean.values.get("external_id"):
                    first = self.seen_external.setdefault(ext, line)
                    if first != line:
                        raise RowError(f"duplicate {self.cleaner.header('external_id')} in this "
                                       f"file (first on line {first})")
            except RowError as exc:
                self._reject(errors, row, line, str(exc))
                counts["rejected"] += 1
                continue
            clean_rows.append((clean, row))
        if not clean_rows:
            return counts

        keys = [c.email_key for c, _ in clean_rows if c.email_key]
        externals = [c.values["external_id"] for c, _ in clean_rows
                     if not c.email_key and c.values.get("external_id")]
        by_email: dict[str, dict] = {}
        for start in range(0, len(keys), 5000):
            for p in self._fetch_people("email_key", keys[start:start + 5000]):
                by_email[p["email_key"]] = p
        by_external: dict[str, dict] = {}
        for start in range(0, len(externals), 5000):
            for p in self._fetch_people("external_id", externals[start:start + 5000]):
                if not p["erased_at"]:
                    by_external.setdefault(p["external_id"], p)

        now = timezone.now()
        new_people: list[dict] = []
        changed_people: list[tuple[dict, list[str]]] = []
        # per accepted row: (clean, person dict, is_new)
        accepted: list[tuple[CleanRow, dict, bool]] = []
        for clean, row in clean_rows:
            existing = by_email.get(clean.email_key) if clean.email_key else \
                by_external.get(clean.values.get("external_id", ""))
            try:
                person, changed = self._person_values(clean, existing)
                chapter_id = self._chapter_id(clean.chapter) if clean.chapter else None
            except RowError as exc:
                self._reject(errors, row, clean.line, str(exc))
                counts["rejected"] += 1
                continue
            if chapter_id is not None and person["chapter_id"] != chapter_id:
                person["chapter_id"] = chapter_id
                changed.append("chapter_id")
            if existing is None:
                new_people.append(person)
                accepted.append((clean, person, True))
            else:
                if changed:
                    changed_people.append((person, changed))
                accepted.append((clean, person, False))

        # New people: ids first, then one bulk write of rows and history rows.
        adapt = dbwrite.Adapt()
        now_db = adapt.datetime(now)
        ids = dbwrite.reserve_ids(Person, len(new_people))
        assoc_id = self.association.pk
        for person, pk in zip(new_people, ids, strict=True):
            person["id"] = pk
        if new_people:
            dbwrite.insert_rows(Person, PERSON_COLUMNS, [
                (p["id"], assoc_id, p["first_name"], p["last_name"], p["email"], p["email_key"],
                 p["phone"], p["address_line1"], p["address_line2"], p["city"], p["region"],
                 p["postal_code"], p["country"], p["chapter_id"], adapt.json(p["custom"]),
                 p["external_id"], None, p["search_text"], now_db, now_db, None)
                for p in new_people
            ] if PERSON_COLUMNS == _PERSON_ORDER else [
                tuple(_person_db(p, assoc_id, now_db, adapt)[c] for c in PERSON_COLUMNS)
                for p in new_people
            ])
            self._person_history(new_people, "+", now, adapt)
        if changed_people:
            self._update_people(changed_people, now)
        touched: set[int] = {p["id"] for p, _ in changed_people}

        touched |= self._relationships(accepted, adapt)
        mcounts, renewed_people = self._memberships(accepted, adapt, now)
        touched |= renewed_people
        counts["memberships_created"] += mcounts["created"]
        counts["memberships_renewed"] += mcounts["renewed"]
        counts["created"] += len(new_people)
        existing_ids = [p["id"] for _, p, is_new in accepted if not is_new]
        counts["updated"] += sum(1 for pk in existing_ids if pk in touched)
        counts["unchanged"] += sum(1 for pk in existing_ids if pk not in touched)
        return counts

    # ------------------------------------------------------------ people

    _FETCH = ["id", *PERSON_TEXT, "email_key", "chapter_id", "custom", "user_id", "erased_at"]

    def _fetch_people(self, column: str, values: list[str]) -> list[dict]:
        """People whose ``column`` is in ``values``: one plain query (no ORM row building,
        which costs more than the query here); the association filter is explicit."""
        if not values:
            return []
        table = Person._meta.db_table
        sql = (f'SELECT {", ".join(self._FETCH)} FROM "{table}" WHERE association_id = %s '
               f'AND "{column}" IN ({", ".join(["%s"] * len(values))}) ORDER BY id')
        with connection.cursor() as cur:
            cur.execute(sql, [self.association.pk, *values])
            rows = cur.fetchall()
        out = []
        for row in rows:
            p = dict(zip(self._FETCH, row, strict=True))
            custom = p["custom"]
            if isinstance(custom, str):
                p["custom"] = json.loads(custom) if custom not in ("{}", "") else {}
            elif custom is None:
                p["custom"] = {}
            out.append(p)
        return out

    def _person_values(self, clean: CleanRow, existing: dict | None) -> tuple[dict, list[str]]:
        """The person's values after this row, and which fields the row changes."""
        given = clean.values
        if existing is None:
            person = {k: "" for k in PERSON_TEXT}
            person.update(chapter_id=None, custom={}, email_key="")
        else:
            person = dict(existing)
            if person.get("erased_at"):
                raise RowError("this person was erased and cannot be re-imported")
        changed: list[str] = []
        for name in ("first_name", "last_name", "email", "external_id"):
            value = given.get(name)
            if value and value != person[name]:
                person[name] = value
                changed.append(name)
        address_given = [k for k in ADDRESS_FIELDS if given.get(k)]
        country = given.get("country") or person["country"] or str(self.association.country)
        if "phone" in given:
            try:
                phone = fast_phone(given["phone"], region=country)
            except ValidationFailed as exc:
                raise RowError(f"{self.cleaner.header('phone')}: {_reason(exc)}") from None
            if phone != person["phone"]:
                person["phone"] = phone
                changed.append("phone")
        if address_given:
            # Blank cells keep what is on file; what the row gives is validated together
            # with it, as the person services do.
            merged = {k: given.get(k) or person[k] for k in ADDRESS_FIELDS}
            if not merged["country"]:
                merged["country"] = str(self.association.country)
            try:
                address = fast_address(merged)
            except ValidationFailed as exc:
                field = next(iter(exc.fields), "address")
                raise RowError(f"{self.cleaner.header(field)}: {_reason(exc)}") from None
            for k in ADDRESS_FIELDS:
                if address[k] != person[k]:
                    person[k] = address[k]
                    changed.append(k)
        custom = dict(person["custom"] or {})
        custom.update(clean.custom)
        if existing is None:
            missing = [d.label for d in self.cleaner.required_custom if d.key not in custom]
            if missing:
                raise RowError(f"{', '.join(missing)}: required")
        if custom != (person["custom"] or {}):
            person["custom"] = custom
            changed.append("custom")
        if "email" in changed:
            person["email_key"] = person["email"].lower()
        person["search_text"] = Person.make_search_text(person["first_name"], person["last_name"],
                                                        person["email"])
        return person, changed

    def _chapter_id(self, name: str) -> int:
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

    def _person_history(self, people: list[dict], kind: str, now, adapt: dbwrite.Adapt) -> None:
        assoc_id = self.association.pk
        now_db = adapt.datetime(now)
        created = {}
        if kind == "~":
            ids = [p["id"] for p in people]
            for start in range(0, len(ids), 5000):
                created.update(Person.objects.filter(id__in=ids[start:start + 5000])
                               .values_list("id", "created_at"))
        rows = []
        for p in people:
            values = _person_db(p, assoc_id, now_db, adapt)
            values.update(history_date=now_db, history_change_reason="import",
                          history_type=kind, history_user_id=self.actor_id)
            if kind == "~":
                values["created_at"] = adapt.datetime(created[p["id"]])
            rows.append(tuple(values[c] for c in PERSON_HISTORY))
        dbwrite.insert_rows(Person.history.model, PERSON_HISTORY, rows)

    def _update_people(self, changed: list[tuple[dict, list[str]]], now) -> None:
        fields = sorted({f for _, names in changed for f in names} | {"search_text", "email_key"})
        objs = []
        for person, _ in changed:
            obj = Person(id=person["id"], association_id=self.association.pk,
                         **{f: person[f] for f in fields})
            obj.updated_at = now
            objs.append(obj)
        Person.objects.bulk_update(objs, [*fields, "updated_at"], batch_size=500)
        self._person_history([p for p, _ in changed], "~", now, dbwrite.Adapt())

    # ------------------------------------------------------------ organisations

    def _relationships(self, accepted: list[tuple[CleanRow, dict, bool]],
                       adapt: dbwrite.Adapt) -> set[int]:
        wanted = [(c.organisation, p) for c, p, _ in accepted if c.organisation]
        if not wanted:
            return set()
        names = {name.lower(): name for name, _ in wanted}
        missing = [k for k in names if k not in self.organisations]
        for start in range(0, len(missing), 5000):
            self.organisations.update(Organisation.objects.filter(
                name_key__in=missing[start:start + 5000]).values_list("name_key", "id"))
        new = [k for k in missing if k not in self.organisations]
        if new:
            now = timezone.now()
            ids = dbwrite.reserve_ids(Organisation, len(new))
            org_rows = []
            for key, pk in zip(new, ids, strict=True):
                self.organisations[key] = pk
                org_rows.append({"id": pk, "association_id": self.association.pk,
                                 "name": names[key][:200], "name_key": key[:200],
                                 "sector": "private", "website": "", "email": "", "phone": "",
                                 "city": "", "country": "", "created_at": adapt.datetime(now)})
            dbwrite.insert_rows(Organisation, ["id", *ORG_COLUMNS],
                                [tuple(r[c] for c in ["id", *ORG_COLUMNS]) for r in org_rows])
            hist = dbwrite.history_columns(Organisation)
            extra = {"history_date": adapt.datetime(now), "history_change_reason": "import",
                     "history_type": "+", "history_user_id": self.actor_id}
            dbwrite.insert_rows(Organisation.history.model, hist,
                                [tuple({**r, **extra}[c] for c in hist) for r in org_rows])
        pairs = {(p["id"], self.organisations[name.lower()]) for name, p in wanted}
        person_ids = list({pid for pid, _ in pairs})
        existing: set[tuple[int, int]] = set()
        for start in range(0, len(person_ids), 5000):
            existing.update(Relationship.objects.filter(
                person_id__in=person_ids[start:start + 5000], kind=RelationshipKind.EMPLOYEE,
            ).values_list("person_id", "organisation_id"))
        add = sorted(pairs - existing)
        if add:
            today = adapt.date(self.today)
            values = {"association_id": self.association.pk, "kind": RelationshipKind.EMPLOYEE,
                      "title": "", "starts_on": today, "ends_on": None}
            dbwrite.insert_rows(Relationship, RELATIONSHIP_COLUMNS, [
                tuple({**values, "person_id": pid, "organisation_id": oid}[c]
                      for c in RELATIONSHIP_COLUMNS) for pid, oid in add])
        return {pid for pid, _ in add}

    # ------------------------------------------------------------ memberships

    def _memberships(self, accepted: list[tuple[CleanRow, dict, bool]], adapt: dbwrite.Adapt,
                     now) -> tuple[dict[str, int], set[int]]:
        counts = {"created": 0, "renewed": 0}
        rows = [(c, p, is_new) for c, p, is_new in accepted if c.plan or c.expires_on]
        if not rows:
            return counts, set()
        existing_ids = [p["id"] for _, p, is_new in rows if not is_new]
        current: dict[int, dict] = {}
        for start in range(0, len(existing_ids), 5000):
            for m in (Membership.objects.filter(person_id__in=existing_ids[start:start + 5000])
                      .order_by("ends_on", "id")
                      .values("id", "person_id", "plan_id", "status", "joined_on", "starts_on",
                              "ends_on", "lapsed_on", "cancelled_on", "organisation_id",
                              "created_at")):
                current[m["person_id"]] = m  # the latest ends last
        create: list[tuple[CleanRow, dict]] = []
        renew: list[tuple[dict, Any]] = []
        for clean, person, _ in rows:
            m = current.get(person["id"])
            if m is None:
                if clean.plan is None:
                    continue  # an expiry without a plan: nothing to attach it to
                create.append((clean, person))
            elif clean.expires_on and clean.expires_on > m["ends_on"] \
                    and m["status"] != Status.CANCELLED:
                renew.append((m, clean.expires_on))
        now_db = adapt.datetime(now)
        if create:
            ids = dbwrite.reserve_ids(Membership, len(create))
            members, terms, transitions = [], [], []
            for (clean, person), pk in zip(create, ids, strict=True):
                plan = clean.plan
                joined = clean.joined_on
                ends = clean.expires_on
                if joined is None and ends is not None:
                    joined = ends - relativedelta(months=plan.term_months) + timedelta(days=1)
                joined = joined or self.today
                ends = ends or lifecycle.term_end(joined, plan.term_months)
                status = lifecycle.status_on(ends_on=ends, today=self.today,
                                             renewal_window_days=self.window,
                                             grace_days=plan.grace_days)
                lapsed_on = lifecycle.lapse_date(ends, plan.grace_days) \
                    if status == Status.LAPSED else None
                members.append({
                    "id": pk, "association_id": self.association.pk, "plan_id": plan.id,
                    "person_id": person["id"], "organisation_id": None, "status": str(status),
                    "joined_on": adapt.date(joined), "starts_on": adapt.date(joined),
                    "ends_on": adapt.date(ends), "lapsed_on": adapt.date(lapsed_on),
                    "cancelled_on": None, "created_at": now_db, "updated_at": now_db,
                })
                terms.append((self.association.pk, pk, TermKind.JOIN.value, adapt.date(joined),
                               adapt.date(ends), None, now_db))
                transitions.append({"association_id": self.association.pk, "membership_id": pk,
                                    "from_status": "", "to_status": str(status),
                                    "event": "joined", "on": adapt.date(joined),
                                    "actor_id": self.actor_id, "note": "imported",
                                    "created_at": now_db})
            dbwrite.insert_rows(Membership, MEMBERSHIP_COLUMNS,
                                [tuple(m[c] for c in MEMBERSHIP_COLUMNS) for m in members])
            self._membership_history(members, "+", now_db)
            assert TERM_COLUMNS == ["association_id", "membership_id", "kind", "starts_on",
                                    "ends_on", "invoice_id", "created_at"]
            dbwrite.insert_rows(Term, TERM_COLUMNS, terms)
            dbwrite.insert_rows(Transition, TRANSITION_COLUMNS,
                                [tuple(t[c] for c in TRANSITION_COLUMNS) for t in transitions])
            counts["created"] = len(create)
        renewed: set[int] = set()
        if renew:
            objs, terms, transitions, history = [], [], [], []
            for m, expires in renew:
                plan = self.plans_by_id[m["plan_id"]]
                start = m["ends_on"] + timedelta(days=1)
                status = lifecycle.status_on(ends_on=expires, today=self.today,
                                             renewal_window_days=self.window,
                                             grace_days=plan.grace_days)
                lapsed_on = lifecycle.lapse_date(expires, plan.grace_days) \
                    if status == Status.LAPSED else None
                obj = Membership(id=m["id"], starts_on=start, ends_on=expires, status=status,
                                 lapsed_on=lapsed_on, updated_at=now)
                objs.append(obj)
                terms.append((self.association.pk, m["id"], TermKind.RENEWAL.value,
                               adapt.date(start), adapt.date(expires), None, now_db))
                transitions.append({"association_id": self.association.pk,
                                    "membership_id": m["id"], "from_status": m["status"],
                                    "to_status": str(status), "event": "renewed",
                                    "on": adapt.date(start), "actor_id": self.actor_id,
                                    "note": "imported", "created_at": now_db})
                history.append({**m, "association_id": self.association.pk,
                                "starts_on": adapt.date(start), "ends_on": adapt.date(expires),
                                "status": str(status), "lapsed_on": adapt.date(lapsed_on),
                                "joined_on": adapt.date(m["joined_on"]),
                                "cancelled_on": adapt.date(m["cancelled_on"]),
                                "created_at": adapt.datetime(m["created_at"])})
                renewed.add(m["person_id"])
            Membership.objects.bulk_update(objs, ["starts_on", "ends_on", "status", "lapsed_on",
                                                  "updated_at"], batch_size=500)
            dbwrite.insert_rows(Term, TERM_COLUMNS, terms)
            dbwrite.insert_rows(Transition, TRANSITION_COLUMNS,
                                [tuple(t[c] for c in TRANSITION_COLUMNS) for t in transitions])
            self._membership_history(history, "~", now_db)
            counts["renewed"] = len(renew)
        return counts, renewed

    def _membership_history(self, members: list[dict], kind: str, now_db) -> None:
        extra = {"history_date": now_db, "history_change_reason": "import", "history_type": kind,
                 "history_user_id": self.actor_id}
        dbwrite.insert_rows(Membership.history.model, MEMBERSHIP_HISTORY,
                            [tuple({**m, **extra}[c] for c in MEMBERSHIP_HISTORY) for m in members])


_PERSON_ORDER = ["id", "association_id", "first_name", "last_name", "email", "email_key", "phone",
                 "address_line1", "address_line2", "city", "region", "postal_code", "country",
                 "chapter_id", "custom", "external_id", "user_id", "search_text", "created_at",
                 "updated_at", "erased_at"]


def _person_db(p: dict, assoc_id: int, now_db: Any, adapt: dbwrite.Adapt) -> dict[str, Any]:
    return {"id": p["id"], "association_id": assoc_id, "first_name": p["first_name"],
            "last_name": p["last_name"], "email": p["email"], "email_key": p["email_key"],
            "phone": p["phone"], "address_line1": p["address_line1"],
            "address_line2": p["address_line2"], "city": p["city"], "region": p["region"],
            "postal_code": p["postal_code"], "country": p["country"],
            "chapter_id": p["chapter_id"], "custom": adapt.json(p["custom"]),
            "external_id": p["external_id"], "user_id": p.get("user_id"),
            "search_text": p["search_text"], "created_at": now_db, "updated_at": now_db,
            "erased_at": None}


def _reason(exc: ValidationFailed) -> str:
    for messages in exc.fields.values():
        if messages:
            return str(messages[0])
    return exc.message
