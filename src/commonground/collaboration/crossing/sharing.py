"""Data-sharing agreements across associations: THE one audited read path.

``shared_rows`` (and ``shared_rows_all`` for a download) is the only code in the product
that reads one association's people for another. Every call

1. finds the agreement only if the caller's association is its recipient (else 404);
2. checks that it is in force *now*: approved by both sides and not revoked, today (in
   the grantor's time zone) between its start and its expiry, both parties still active
   members of its consortium (else ``Conflict`` saying why);
3. reads inside the grantor's scope ONLY the agreement's named columns
   (``values()`` of the registry's columns, never whole rows) of the kind's rows, narrowed
   by the agreement's row filter (the person-filter language) and, when the agreement
   requires it, to the people whose consent is live;
4. writes a ``SharedRead`` (the log both parties see) and an audit entry in both
   associations, in the same transaction as the read.

The rest of this module is what either party may see of an agreement itself (its terms,
its status, its read log), the partners an association may make one with, and the check
of a row filter against the grantor's data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django_scopes import scope

from commonground.core.errors import Conflict, NotFound, PermissionDenied
from commonground.core.pagination import clamp_limit, decode_cursor, encode_cursor
from commonground.people.filters import normalise, parse, person_queryset
from commonground.people.models import Person
from commonground.tenancy import audit
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association, StaffMember

from .. import sharing as registry
from ..models import (
    AgreementStatus,
    Consortium,
    ConsortiumMember,
    MemberStatus,
    SharedRead,
    SharingAgreement,
    SharingConsent,
)
from . import across, member_consortium_ids

VIAS = ("web", "api", "csv", "cli")
CSV_MAX_ROWS = 100_000


# ---------------------------------------------------------------- the agreement itself


def _agreements() -> QuerySet[SharingAgreement]:
    return SharingAgreement.objects.select_related("association", "recipient", "consortium")


def agreement_visible(*, association: Association, agreement_id: int,
                      lock: bool = False) -> SharingAgreement:
    """The agreement if ``association`` is its grantor or its recipient, else ``NotFound``
    (another pair's agreement is not confirmed to exist). ``lock``: for an update in the
    caller's transaction (two approvals at once don't both win)."""
    with across():
        qs = _agreements().filter(Q(association=association) | Q(recipient=association),
                                  pk=agreement_id)
        found = (qs.select_for_update(of=("self",)) if lock else qs).first()
    if found is None:
        raise NotFound("No such agreement")
    return found


def agreements_of(association: Association, *, side: str | None = None
                  ) -> list[SharingAgreement]:
    """The agreements ``association`` is a party to, newest first; ``side`` "granted"
    (it holds the data) or "received" narrows them."""
    where = {"granted": Q(association=association), "received": Q(recipient=association)}.get(
        side or "", Q(association=association) | Q(recipient=association))
    with across():
        return list(_agreements().filter(where))


def state(agreement: SharingAgreement, today: date | None = None) -> str:
    """What the agreement is today (in the grantor's zone): proposed, active, scheduled (in
    force from a later start), expired or revoked. Expiry is never stored: it is read."""
    if agreement.status == AgreementStatus.REVOKED:
        return "revoked"
    today = today or association_today(agreement.association)
    if agreement.expires_on < today:
        return "expired"
    if agreement.status == AgreementStatus.PROPOSED:
        return "proposed"
    if agreement.starts_on > today:
        return "scheduled"
    return "active"


STATE_LABELS = {"proposed": "Waiting for approval", "active": "In force",
                "scheduled": "Approved, starts later", "expired": "Expired",
                "revoked": "Revoked"}


def _refusal(agreement: SharingAgreement, today: date) -> str | None:
    """Why nothing may be read through the agreement today, or None when it is in force."""
    now = state(agreement, today)
    if now == "revoked":
        when = f" on {agreement.revoked_at:%-d %b %Y}" if agreement.revoked_at else ""
        return f"This agreement was revoked{when}: nothing is shared through it any more."
    if now == "expired":
        return (f"This agreement expired on {agreement.expires_on:%-d %b %Y}: nothing is "
                "shared through it any more.")
    if now == "proposed":
        waiting = [name for name, at in ((agreement.association.name,
                                          agreement.grantor_approved_at),
                                         (agreement.recipient.name,
                                          agreement.recipient_approved_at)) if at is None]
        return ("This agreement is not in force yet: it waits for the approval of "
                f"{' and '.join(waiting)}.")
    if now == "scheduled":
        return (f"This agreement comes into force on {agreement.starts_on:%-d %b %Y}: "
                "nothing is shared before then.")
    if not _still_partners(agreement):
        return ("The two associations no longer take part together in the agreement's "
                "consortium: nothing is shared through it.")
    return None


def _still_partners(agreement: SharingAgreement) -> bool:
    if agreement.consortium_id is None:
        return False
    if hasattr(agreement, "partners_active"):  # read with the agreement (``_for_recipient``)
        return agreement.partners_active == 2
    with across():
        return ConsortiumMember.objects.filter(
            consortium_id=agreement.consortium_id, status=MemberStatus.ACTIVE,
            association_id__in=(agreement.association_id, agreement.recipient_id)
        ).count() == 2


def refusal(agreement: SharingAgreement) -> str | None:
    """For pages: why the recipient can't read the rows today (None: it can)."""
    return _refusal(agreement, association_today(agreement.association))


# ---------------------------------------------------------------- partners


def partners_of(association: Association) -> list[tuple[Association, Consortium]]:
    """The associations ``association`` may make an agreement with: the other active
    members of the consortia it actively takes part in (with the first such consortium)."""
    ids = member_consortium_ids(association)
    with across():
        rows = (ConsortiumMember.objects.filter(consortium_id__in=ids,
                                                status=MemberStatus.ACTIVE)
                .exclude(association=association)
                .select_related("association", "consortium").order_by("association__name",
                                                                      "consortium_id"))
        out: dict[int, tuple[Association, Consortium]] = {}
        for row in rows:
            out.setdefault(row.association_id, (row.association, row.consortium))
    return list(out.values())


def shared_consortium(a: Association, b: Association) -> Consortium | None:
    return next((c for other, c in partners_of(a) if other.pk == b.pk), None)


def row_filter_checked(*, grantor: Association, definition: Any) -> dict:
    """The row filter in its canonical form, checked against the grantor's data (its
    chapters, plans…); ``ValidationFailed`` with the rule paths otherwise."""
    if not definition:
        return {}
    with scope(association=grantor):
        return normalise(parse(definition))


# ---------------------------------------------------------------- the one read path


@dataclass
class SharedPage:
    agreement: SharingAgreement
    fields: list[str]
    labels: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    next_cursor: str | None = None
    read: SharedRead | None = None


def _for_recipient(*, agreement_id: int, recipient: Association, reader) -> SharingAgreement:
    """The agreement for a read, with what the checks need in the same query: whether both
    parties are still active members of its consortium, and whether ``reader`` works for
    the recipient (``permissions.may_work_collaboration``: an administrator, or staff on a
    side — any role but the board's)."""
    with across():  # the subqueries too: built in a scope, they would be bound to it
        partners = (ConsortiumMember.objects.filter(
            Q(association_id=OuterRef("association_id"))
            | Q(association_id=OuterRef("recipient_id")),
            consortium_id=OuterRef("consortium_id"), status=MemberStatus.ACTIVE)
            .order_by().values("consortium_id").annotate(n=Count("pk")).values("n"))
        works = StaffMember.objects.filter(
            Q(role__is_admin=True) | Q(role__is_board=False), association=recipient,
            user_id=getattr(reader, "pk", None))
        agreement = (_agreements().filter(pk=agreement_id, recipient=recipient)
                     .annotate(partners_active=Subquery(partners), reader_works=Exists(works))
                     .first())
    if agreement is None:
        raise NotFound("No such agreement")
    if reader is not None and not agreement.reader_works:
        raise PermissionDenied("Only staff of the recipient read what an agreement shares")
    message = _refusal(agreement, association_today(agreement.association))
    if message:
        raise Conflict(message)
    return agreement


def _queryset(agreement: SharingAgreement, today: date, *, after: int | None = None
              ) -> QuerySet[Person]:
    """The grantor's rows the agreement reaches (call inside the grantor's scope); ``after``
    a person id: the keyset page's start, bound in the consents' subquery too so that its
    index scan starts there rather than at the agreement's first consent."""
    kind = registry.kind(agreement.record_kind)
    if kind is None:  # a kind the registry no longer has shares nothing
        return Person.objects.none()
    if agreement.row_filter:
        qs = person_queryset(agreement.row_filter, today=today, check=False)
    else:
        qs = Person.objects.filter(erased_at__isnull=True)
    qs = qs.filter(kind.base)
    if after is not None:
        qs = qs.filter(pk__gt=after)
    if agreement.consent_required:
        consents = SharingConsent.objects.filter(agreement=agreement, withdrawn_at__isnull=True)
        if after is not None:
            consents = consents.filter(person_id__gt=after)
        qs = qs.filter(pk__in=consents.values("person_id"))
    return qs


def _columns(agreement: SharingAgreement) -> tuple[list[str], list[str]]:
    kind = registry.kind(agreement.record_kind)
    keys = [k for k in agreement.fields if kind is not None and kind.field(k) is not None]
    return keys, [kind.field(k).column for k in keys] if kind else []


def _log(agreement: SharingAgreement, *, reader, via: str, rows: int, query: dict) -> SharedRead:
    via = via if via in VIAS else "web"
    read = SharedRead.objects.create(
        association=agreement.association, recipient=agreement.recipient, agreement=agreement,
        reader=reader if getattr(reader, "is_authenticated", False) else None, via=via,
        record_kind=agreement.record_kind, fields=list(agreement.fields), rows=rows,
        query=query)
    facts = {"agreement_id": agreement.pk, "via": via, "rows": rows,
             "fields": list(agreement.fields), "grantor": agreement.association.slug,
             "recipient": agreement.recipient.slug}
    audit.record_for_each(associations=(agreement.association, agreement.recipient),
                          action="collaboration.agreement.read", obj=read, actor=reader,
                          data=facts)
    return read


@transaction.atomic
def shared_rows(*, agreement_id: int, recipient: Association, reader, via: str,
                cursor: str | None = None, limit: int | None = 50) -> SharedPage:
    """One page (keyset, by the grantor's row order) of the agreement's named fields of
    the rows it reaches, for staff of ``recipient``; logged for both parties.

    ``NotFound`` unless ``recipient`` is the agreement's recipient; ``Conflict`` with the
    reason when it is not in force (proposed, not started, expired, revoked, the
    consortium left); ``InvalidCursor`` for a cursor this list did not write."""
    agreement = _for_recipient(agreement_id=agreement_id, recipient=recipient, reader=reader)
    limit = clamp_limit(limit)
    after = decode_cursor(cursor, size=2).key[-1] if cursor else None
    keys, columns = _columns(agreement)
    today = association_today(agreement.association)
    with scope(association=agreement.association):
        qs = _queryset(agreement, today, after=after)
        found = list(qs.order_by("pk").values_list("pk", *columns)[: limit + 1])
    more = len(found) > limit
    found = found[:limit]
    rows = [dict(zip(keys, values[1:], strict=True)) for values in found]
    page = SharedPage(agreement=agreement, fields=keys,
                      labels=registry.labels(agreement.record_kind, keys), rows=rows,
                      next_cursor=encode_cursor([found[-1][0], found[-1][0]])
                      if more and found else None)
    page.read = _log(agreement, reader=reader, via=via, rows=len(rows),
                     query={"cursor": bool(cursor), "limit": limit})
    return page


@transaction.atomic
def shared_rows_all(*, agreement_id: int, recipient: Association, reader,
                    via: str = "csv") -> SharedPage:
    """Every row the agreement reaches (at most ``CSV_MAX_ROWS``) for a download, logged
    once with the number of rows."""
    agreement = _for_recipient(agreement_id=agreement_id, recipient=recipient, reader=reader)
    keys, columns = _columns(agreement)
    today = association_today(agreement.association)
    with scope(association=agreement.association):
        found = list(_queryset(agreement, today).order_by("pk")
                     .values_list(*columns)[:CSV_MAX_ROWS])
    rows = [dict(zip(keys, values, strict=True)) for values in found]
    page = SharedPage(agreement=agreement, fields=keys,
                      labels=registry.labels(agreement.record_kind, keys), rows=rows)
    page.read = _log(agreement, reader=reader, via=via, rows=len(rows), query={"all": True})
    return page


def reachable_count(agreement: SharingAgreement) -> int:
    """How many of the grantor's rows the agreement reaches today (for the grantor's own
    page: no data crosses)."""
    with scope(association=agreement.association):
        return _queryset(agreement, association_today(agreement.association)).count()


# ---------------------------------------------------------------- the read log


def read_log(*, association: Association, agreement_id: int | None = None,
             limit: int = 200) -> list[SharedRead]:
    """The reads through one agreement (or every agreement ``association`` is a party
    to), newest first: the same log for the grantor and the recipient."""
    if agreement_id is not None:
        agreement = agreement_visible(association=association, agreement_id=agreement_id)
        where = Q(agreement=agreement)
    else:
        where = Q(association=association) | Q(recipient=association)
    with across():
        return list(SharedRead.objects.filter(where)
                    .select_related("reader", "agreement", "association", "recipient")
                    [: max(1, min(limit, 1000))])


def reads_count(agreement: SharingAgreement) -> int:
    with across():
        return SharedRead.objects.filter(agreement=agreement).count()


def parties(agreement: SharingAgreement) -> Sequence[Association]:
    return (agreement.association, agreement.recipient)
