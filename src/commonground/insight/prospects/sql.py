"""The prospects model's one hand-written statement: activity per person, day and group.

Why hand-written: training reads every activity of every person who was ever a
non-member in the window, once, as a grouped aggregate per (person, day, group); the ORM
cannot say "UTC day of the timestamp" the same way on both databases nor count the page
views of the join pages inside the same pass. Rules as in ``activity.sql``:
``association_id`` a required keyword bound in the statement, names from ``_meta``,
callers hold the logic (``tests/test_insight_prospects.py`` runs it with two associations:
this module is not at an app's top level, so ``tests/test_sql_tenancy.py`` does not find it).

Groups (``GROUPS``) fold the open-ended kinds into the signals the model reads: web page
views (and those of the membership/join pages), email sent / engaged (open, click) /
unsubscribed, event check-ins and registrations, purchases (with their amounts), learning,
and everything else.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from django.db import connection

from commonground.activity.models import Activity, Identity, IdentityKind
from commonground.core.bulk import in_list
from commonground.core.bulk.names import names

GROUPS = ("web", "intent", "email_sent", "email_engaged", "unsubscribed", "events", "purchases",
          "learning", "other")
# Pages whose visit says "I am thinking of joining" (matched anywhere in the page's URL).
INTENT_PAGES = ("/join", "/membership", "/become-a-member")
FETCH = 200_000


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _group_case(a) -> str:
    """The CASE that puts one activity row in one of ``GROUPS`` (kinds are open-ended text
    the feeds' mappings choose: matched by their usual names)."""
    if _pg():
        page = f"coalesce(a.{a.metadata} ->> 'page', a.{a.metadata} ->> 'url', '')"
    else:
        page = (f"coalesce(json_extract(a.{a.metadata}, '$.page'), "
                f"json_extract(a.{a.metadata}, '$.url'), '')")
    intent = " OR ".join(f"{page} LIKE '%%{p}%%'" for p in INTENT_PAGES)
    k, c = f"a.{a.kind}", f"a.{a.category}"
    return (f"CASE WHEN {k} = 'page_view' AND ({intent}) THEN 'intent' "
            f"WHEN {k} IN ('page_view', 'sign_up', 'visit', 'session') THEN 'web' "
            f"WHEN {k} IN ('email_sent', 'email_delivered') THEN 'email_sent' "
            f"WHEN {k} IN ('email_open', 'email_click', 'email_reply') THEN 'email_engaged' "
            f"WHEN {k} IN ('email_unsubscribe', 'email_complaint') THEN 'unsubscribed' "
            f"WHEN {k} LIKE '%%checkin%%' OR {k} LIKE '%%check_in%%' OR {k} LIKE 'event%%' "
            f"OR {k} LIKE '%%registration%%' OR {k} = 'volunteer_shift' THEN 'events' "
            f"WHEN {c} = 'commerce' THEN 'purchases' "
            f"WHEN {c} = 'learning' THEN 'learning' "
            "ELSE 'other' END")


def daily_activity(*, association_id: int, since: datetime, until: datetime,
                   person_ids: Sequence[int] | None = None) -> Iterator[list[tuple]]:
    """``(person_id, day 'YYYY-MM-DD', group, events, amount, known_on 'YYYY-MM-DD' or
    None)`` of the association's people's activities in ``[since, until)``, grouped by
    person, UTC day, group and ``known_on``; ``person_ids`` narrows to those people.

    Days, not months: a cutoff can then be any date (today, for scoring) and every window
    is exact to the day. ``amount`` sums what the rows carry (purchases; a refund's
    negative amount counts against). ``known_on`` is the day a row collected anonymously
    (its metadata carries the ``visitor_id`` of an anonymous identity of the person) was
    tied to the person — the identity's creation: before that day the association saw an
    unknown visitor, not this person, so a cutoff before it must not count the row (a
    visitor who browses, then joins and is linked on the join page, would otherwise teach
    the model the future).

    Yielded a fetch (``FETCH`` rows) at a time, so the caller turns each into columns
    before the next: millions of rows as Python tuples would cost gigabytes."""
    a, i = names(Activity), names(Identity)
    group = _group_case(a)
    if _pg():
        day = f"to_char(a.{a.occurred_at} AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
        known = f"to_char(i.{i.created_at} AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
        visitor = f"(a.{a.metadata} ->> 'visitor_id')"
        bounds = [since, until]
    else:
        day = f"substr(a.{a.occurred_at}, 1, 10)"  # stored as UTC text
        known = f"substr(i.{i.created_at}, 1, 10)"
        visitor = f"json_extract(a.{a.metadata}, '$.visitor_id')"
        bounds = [connection.ops.adapt_datetimefield_value(since),
                  connection.ops.adapt_datetimefield_value(until)]
    where = [f"a.{a.association} = %s", f"a.{a.person} IS NOT NULL",
             f"a.{a.occurred_at} >= %s", f"a.{a.occurred_at} < %s"]
    # In the statement's order: the join's association and kind, then the WHERE clause's.
    params: list = [association_id, IdentityKind.ANONYMOUS.value, association_id, *bounds]
    if person_ids is not None:
        cond, ids = in_list(f"a.{a.person}", list(person_ids), kind="int")
        where.append(cond)
        params += ids
    # Only rows that mention a visitor id probe the identity index (the instr test first).
    cheap = "" if _pg() else f"instr(a.{a.metadata}, 'visitor_id') > 0 AND "
    join = (f"LEFT JOIN {i} i ON i.{i.association} = %s AND i.{i.kind} = %s "
            f"AND i.{i.person} = a.{a.person} AND i.{i.source} IS NULL "
            f"AND {cheap}i.{i.value} = {visitor}")
    sql = (f"SELECT person_id, day, grp, COUNT(*), SUM(amount), known_on FROM ("
           f"SELECT a.{a.person} AS person_id, {day} AS day, {group} AS grp, "
           f"a.{a.amount} AS amount, {known} AS known_on FROM {a} a {join} "
           f"WHERE {' AND '.join(where)}) t GROUP BY person_id, day, grp, known_on")
    with connection.cursor() as cur:
        cur.execute(sql, params)
        while rows := cur.fetchmany(FETCH):
            yield rows
