"""Reads for people: the member list (keyset-paginated) and the member profile.

The list must stay fast at 100,000+ people, so:

* search is ``search_text LIKE '%term%'`` on the raw column (lower-cased terms), which a
  trigram GIN index serves on PostgreSQL; no function is applied to the column;
* membership filters and sorts use the person's copy of their current membership
  (``member_status``, ``member_plan``, ``member_since``, ``member_until``, kept by
  ``membership.services.member_summary_refresh``): one table, indexed, no sub-queries;
* pages are keyset pages (``WHERE (key, id) > (…)`` + ``LIMIT``), never ``OFFSET``;
* the match count is capped (``COUNT`` over a ``LIMIT``-ed sub-query).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db.models import F, Q, QuerySet
from django_scopes import get_scope

from commonground.core.ids import parse_id
from commonground.core.normalise import format_phone
from commonground.core.pagination import encode_cursor, read_cursor
from commonground.tenancy.clock import association_today, scope_today
from commonground.tenancy.models import AuditEntry

from .extensions import AuditObjects, list_choices
from .filters import person_queryset
from .filters.fields import MAX_SEARCH_LENGTH, search_terms
from .models import Chapter, CustomFieldDefinition, Note, Person

# Counting stops here ("more than 1,000"): the count's cost is bounded by the rows it reads.
COUNT_CAP = 1_000
COUNT_CACHE_SECONDS = 30
MAX_LIMIT = 200

SORTS: dict[str, str] = {
    "name": "Name (A–Z)",
    "-name": "Name (Z–A)",
    "joined": "Join date (oldest first)",
    "-joined": "Join date (newest first)",
    "expires": "Expiry date (soonest first)",
    "-expires": "Expiry date (latest first)",
}

EXPIRING: dict[str, str] = {
    "30": "Ends within 30 days",
    "60": "Ends within 60 days",
    "90": "Ends within 90 days",
    "ended90": "Ended in the last 90 days",
}



@dataclass
class PersonPage:
    rows: list[Person]
    count: int
    count_capped: bool
    next_cursor: str | None
    prev_cursor: str | None
    sort: str
    filters: dict[str, Any] = field(default_factory=dict)


# Only what the list shows: no custom-field JSON or addresses to decode per row.
_LIST_COLUMNS = ("id", "association_id", "first_name", "last_name", "email", "chapter__name",
                 "member_status", "member_plan__name", "member_since", "member_until")


def _key_fields(sort: str) -> list[str]:
    base = sort.lstrip("-")
    return {"name": ["last_name", "first_name"], "joined": ["sort_joined"],
            "expires": ["sort_expires"]}[base] + ["id"]


def _cursor_values(base: str, key: list[Any]) -> list[Any] | None:
    """A cursor's key as the sort's column types; None if it cannot be one of its keys."""
    if base in ("joined", "expires"):
        try:
            return [date.fromisoformat(key[0]), key[1]]
        except (TypeError, ValueError):
            return None
    return key if all(isinstance(v, str) for v in key[:-1]) else None


def _keyset_q(fields: list[str], values: list[Any], *, greater: bool) -> Q:
    """(f1, f2, …) > (v1, v2, …) expanded to ORs, plus ``f1 >= v1`` so an index range applies."""
    op = "gt" if greater else "lt"
    first = Q(**{f"{fields[0]}__{'gte' if greater else 'lte'}": values[0]})
    ors = Q()
    for i, name in enumerate(fields):
        cond = {fields[j]: values[j] for j in range(i)}
        cond[f"{name}__{op}"] = values[i]
        ors |= Q(**cond)
    return first & ors


def person_search(qs: QuerySet[Person], q: str | None, *,
                  include_erased: bool = False) -> QuerySet[Person]:
    """``qs`` narrowed to the people whose name or email contains every word of ``q``.

    The export command's search. The staff list, its export, the API and the pickers go
    through the filter language's ``search`` field instead; both read the words through
    ``filters.fields.search_terms``, so the same words find the same people everywhere.
    Erased people are left out unless ``include_erased``
    (their identity is blanked, so they never match words anyway; this keeps them out of
    unfiltered lists too). Each word is ``search_text LIKE '%word%'`` on the raw column,
    which the trigram index serves; words past ``MAX_SEARCH_WORDS`` are ignored.
    """
    if not include_erased:
        qs = qs.filter(erased_at__isnull=True)
    for term in search_terms(q):
        qs = qs.filter(search_text__contains=term)
    return qs


RUNNING_STATUSES = ["active", "renewal_due", "grace"]


def list_definition(*, search: str = "", plan: Any = None, status: str = "",
                    chapter: Any = None, expiring: str = "") -> dict[str, Any]:
    """The list's menus as a definition of the filter language (``people.filters``): the
    member list, its export and "save as a segment" all select people through it."""
    rules: list[dict[str, Any]] = []
    if search:
        rules.append({"field": "search", "op": "contains", "value": search})
    if chapter:
        rules.append({"field": "chapter", "op": "is", "value": str(chapter)})
    if plan:
        rules.append({"field": "membership.plan", "op": "is", "value": str(plan)})
    if status:
        rules.append({"field": "membership.status", "op": "is", "value": status})
    if expiring in EXPIRING:
        if expiring == "ended90":
            rules.append({"field": "membership.ends", "op": "in_last_days", "value": 90})
        else:
            rules.append({"field": "membership.ends", "op": "in_next_days",
                          "value": int(expiring)})
            if not status:  # "due to end" means still running: not already cancelled
                rules.append({"field": "membership.status", "op": "in",
                              "value": RUNNING_STATUSES})
    return {"op": "and", "rules": rules}


def person_filter(*, search: str = "", plan: Any = None, status: str = "", chapter: Any = None,
                  expiring: str = "", today: date | None = None) -> QuerySet[Person]:
    """The people matching the list's filters (unordered, no membership columns): the
    list's definition through the filter language, without re-checking the menus' values
    (``list_params`` already dropped unknown ones)."""
    definition = list_definition(search=search, plan=plan, status=status, chapter=chapter,
                                 expiring=expiring)
    return person_queryset(definition, today=today or scope_today(), check=False)


def person_list(*, search: str = "", plan: Any = None, status: str = "", chapter: Any = None,
                expiring: str = "", sort: str = "name", cursor: str | None = None,
                limit: int = 50) -> PersonPage:
    """One keyset page of people with their current (or most recent) membership attached.

    A bounded number of queries whatever the page size: on the first page one index scan
    yields the ids of the page and the count, then the page's rows; later pages read their
    rows and a cached count.
    """
    sort = sort if sort in SORTS else "name"
    limit = max(1, min(int(limit or 50), MAX_LIMIT))
    qs = (person_filter(search=search, plan=plan, status=status, chapter=chapter,
                        expiring=expiring)
          .select_related("chapter", "member_plan").only(*_LIST_COLUMNS))
    base = sort.lstrip("-")
    if base in ("joined", "expires"):
        column = "member_since" if base == "joined" else "member_until"
        qs = qs.annotate(**{f"sort_{base}": F(column)})
    fields = _key_fields(sort)
    descending = sort.startswith("-")
    decoded = read_cursor(cursor, size=len(fields))
    values = _cursor_values(base, decoded.key) if decoded else None
    if values is None:  # none, or not one of this sort's: the first page
        decoded = None
    backwards = bool(decoded and decoded.backwards)
    if decoded:
        qs = qs.filter(_keyset_q(fields, values, greater=(descending == backwards)))
    reverse = descending != backwards
    qs = qs.order_by(*[(F(f).desc() if reverse else F(f).asc()) for f in fields])
    filters = {"search": search, "plan": plan, "status": status, "chapter": chapter,
               "expiring": expiring}
    counted: tuple[int, bool] | None = None
    if decoded is None:
        # First page: one ordered scan of up to COUNT_CAP + 1 ids (index-only in name order)
        # gives both the page and the count, instead of scanning once for each.
        ids = list(qs.values_list("pk", flat=True)[: COUNT_CAP + 1])
        counted = (min(len(ids), COUNT_CAP), len(ids) > COUNT_CAP)
        cache.set(_count_key(filters, COUNT_CAP), counted, COUNT_CACHE_SECONDS)
        page_ids = ids[: limit + 1]
        by_id = {p.pk: p for p in qs.order_by().filter(pk__in=page_ids)}
        rows = [by_id[pk] for pk in page_ids if pk in by_id]
    else:
        rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()

    def key(p: Person) -> list[Any]:
        return [getattr(p, f) if f != "id" else p.pk for f in fields]

    if backwards:
        next_cursor = encode_cursor(key(rows[-1])) if rows else None
        prev_cursor = encode_cursor(key(rows[0]), backwards=True) if (rows and more) else None
    else:
        next_cursor = encode_cursor(key(rows[-1])) if (rows and more) else None
        prev_cursor = encode_cursor(key(rows[0]), backwards=True) if (rows and decoded) else None
    _attach_memberships(rows)
    count, capped = counted or person_count(**filters)
    return PersonPage(rows=rows, count=count, count_capped=capped, next_cursor=next_cursor,
                      prev_cursor=prev_cursor, sort=sort)


def _count_key(filters: dict[str, Any], cap: int) -> str:
    association = get_scope().get("association")
    # The newest person id is in the key (one index probe) so adding people shows at once;
    # other changes (a lapse, an edit) show within COUNT_CACHE_SECONDS.
    newest = (Person.objects.order_by("-created_at", "-pk")  # served by person_created_idx
              .values_list("pk", flat=True).first())
    return "people-count:" + hashlib.sha256(json.dumps(
        [getattr(association, "pk", None), newest, cap, sorted(filters.items()),
         association_today(association).isoformat()], default=str).encode()).hexdigest()


def person_count(*, cap: int = COUNT_CAP, **filters: Any) -> tuple[int, bool]:
    """Matches, counted up to ``cap`` (COUNT over a LIMIT-ed sub-query, so never unbounded).

    Cached briefly per tenant and filter set: paging through a list (or re-sorting it)
    does not count again.
    """
    key = _count_key(filters, cap)
    cached = cache.get(key)
    if cached is not None:
        return tuple(cached)
    n = person_filter(**filters).order_by().values("pk")[: cap + 1].count()
    result = (min(n, cap), n > cap)
    cache.set(key, result, COUNT_CACHE_SECONDS)
    return result


@dataclass(frozen=True)
class MembershipSummary:
    """What the list shows of a person's current membership, read off the person row."""

    plan_id: int | None
    plan: Any
    status: str
    joined_on: date
    ends_on: date
    status_label: str


def member_statuses() -> list[tuple[str, str]]:
    """The values of ``Person.member_status`` with their labels. Membership writes the
    column and registers its vocabulary (``list_choices["statuses"]``)."""
    entry = list_choices.get("statuses")
    return list(entry.options()) if entry else []


def _attach_memberships(people: list[Person]) -> None:
    """Set ``current_membership`` from the person's copy of it (no extra query)."""
    labels = dict(member_statuses())
    for p in people:
        p.current_membership = MembershipSummary(
            plan_id=p.member_plan_id, plan=p.member_plan, status=p.member_status,
            joined_on=p.member_since, ends_on=p.member_until,
            status_label=str(labels.get(p.member_status, p.member_status))
        ) if p.member_status else None


def filter_choices() -> dict[str, Any]:
    """The options of the list's filter menus: people's own, and those registered by the
    apps that know the values (membership: ``plans``, ``statuses``)."""
    return {
        **{entry.key: list(entry.options()) for entry in list_choices},
        "chapters": list(Chapter.objects.order_by("name").values_list("id", "name")),
        "sorts": list(SORTS.items()),
        "expiring": list(EXPIRING.items()),
    }


def list_params(query: Any) -> dict[str, Any]:
    """The list's filters from a request's query (``q``, ``plan``, ``status``, ``chapter``,
    ``expiring``): anything unknown is dropped, so a tampered link shows the whole list.
    The export of the list reads the same filters."""

    status = query.get("status", "")
    expiring = query.get("expiring", "")
    return {
        "search": query.get("q", "").strip()[:MAX_SEARCH_LENGTH],
        "plan": parse_id(query.get("plan")),
        "status": status if status in dict(member_statuses()) else "",
        "chapter": parse_id(query.get("chapter")),
        "expiring": expiring if expiring in EXPIRING else "",
    }


# ---------------------------------------------------------------- profile

_HIDDEN_HISTORY_FIELDS = {"email_key", "erased_at"}


def _history_changes(person: Person, limit: int = 50) -> list[dict[str, Any]]:
    """Who changed which field from what to what, newest first.

    One query for the records (with their users); consecutive records are diffed in
    memory with simple-history's ``diff_against``.
    """
    records = list(person.history.select_related("history_user")
                   .order_by("-history_date", "-history_id")[:limit + 1])
    chapter_names: dict[Any, str] | None = None
    out = []
    for newer, older in zip(records[:limit], records[1:limit + 1] + [None], strict=False):
        entry = {"when": newer.history_date, "who": newer.history_user,
                 "kind": newer.get_history_type_display(), "changes": []}
        if older is not None:
            for change in newer.diff_against(older).changes:
                if change.field in _HIDDEN_HISTORY_FIELDS:
                    continue
                old, new = change.old, change.new
                label = Person._meta.get_field(change.field).verbose_name
                if change.field == "chapter":
                    if chapter_names is None:
                        chapter_names = dict(Chapter.objects.values_list("id", "name"))
                    old, new = chapter_names.get(old, old), chapter_names.get(new, new)
                elif change.field == "user":
                    label, old, new = "portal login", "yes" if old else "no", "yes" if new else "no"
                entry["changes"].append({"field": label, "old": old, "new": new})
            if not entry["changes"]:
                continue
        out.append(entry)
    return out


def person_profile(*, person_id: int) -> dict[str, Any]:
    """What the profile page shows of the person itself, in a bounded number of queries.
    The panels of other apps (``extensions.profile_panels``) and the audit trail
    (``audit_trail``, which includes the panels' objects) are added by the view."""
    person = Person.objects.select_related("chapter", "user").get(pk=person_id)
    definitions = list(CustomFieldDefinition.objects.all())
    custom = [(d.label, person.custom.get(d.key)) for d in definitions if d.key in person.custom]
    return {
        "person": person,
        "phone_display": format_phone(person.phone),
        "custom": custom,
        "relationships": list(person.relationships.select_related("organisation")),
        "changes": _history_changes(person),
    }


def audit_q(person: Person, objects: list[AuditObjects]) -> Q:
    """Audit entries about the person and about the other apps' objects of theirs."""
    q = Q(object_type="person", object_id=person.pk)
    merged: dict[str, list[int]] = {}
    for part in objects:
        for object_type, ids in part.items():
            merged.setdefault(object_type, []).extend(ids)
    for object_type, ids in merged.items():
        q |= Q(object_type=object_type, object_id__in=ids)
    return q


def audit_trail(*, person: Person, objects: list[AuditObjects], limit: int = 50
                ) -> list[AuditEntry]:
    """The profile's audit trail, newest first, in one query."""
    return list(AuditEntry.objects.filter(audit_q(person, objects))
                .select_related("actor")[:limit])


def notes_for(person: Person) -> QuerySet[Note]:
    """A person's staff notes: pinned first, then newest first."""
    return Note.objects.filter(person=person).select_related("author")
