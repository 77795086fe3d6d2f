"""Data-sharing agreements from the command line.

    commonground agreements list --association SLUG [--side granted|received] [--json]
    commonground agreements show ID --association SLUG [--json]
    commonground agreements propose --association SLUG --partner SLUG [--request]
        --title T --purpose P [--kind members] --fields first_name,email,chapter
        [--no-consent] [--filter JSON] [--starts DATE] --expires DATE --by EMAIL
    commonground agreements approve ID --association SLUG --by EMAIL
    commonground agreements revoke ID --association SLUG --reason TEXT --by EMAIL
    commonground agreements rows ID --association SLUG --by EMAIL [--limit N] [--cursor C] [--json]
    commonground agreements log ID --association SLUG [--json]
    commonground agreements consent ID --association SLUG --person ID|EMAIL [--withdraw] --by EMAIL

``--association`` is the side acting (grantor or recipient); ``rows`` reads as the
recipient, through the one audited path (logged for both parties, ``via`` cli).
"""

from __future__ import annotations

import csv
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from commonground.core.errors import DomainError, NotFound
from commonground.core.ids import parse_id
from commonground.tenancy.cli import association_named, refused, staff_named

from ... import selectors_sharing as selectors
from ... import sharing as registry
from ...crossing import sharing as crossing
from ...services import sharing as services

OPTIONS = {"partner": "--partner", "record_kind": "--kind", "fields": "--fields",
           "row_filter": "--filter", "starts_on": "--starts", "expires_on": "--expires",
           "person": "--person"}


class Command(BaseCommand):
    help = "Data-sharing agreements: list, show, propose, approve, revoke, rows, log, consent."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ls = sub.add_parser("list", help="The agreements the association is a party to")
        ls.add_argument("--side", choices=["granted", "received"])
        show = sub.add_parser("show", help="One agreement's terms and status")
        propose = sub.add_parser("propose", help="Propose an agreement to a partner")
        propose.add_argument("--partner", required=True, help="The other association's slug")
        propose.add_argument("--request", action="store_true",
                             help="Ask the partner for its data (default: we share ours)")
        propose.add_argument("--title", required=True)
        propose.add_argument("--purpose", required=True)
        propose.add_argument("--kind", default="members", choices=list(registry.KINDS))
        propose.add_argument("--fields", required=True, help="Comma-separated field keys")
        propose.add_argument("--no-consent", action="store_true",
                             help="Share without asking members (default: only consenting)")
        propose.add_argument("--filter", help="A person-filter definition as JSON")
        propose.add_argument("--starts", help="YYYY-MM-DD (default today)")
        propose.add_argument("--expires", required=True, help="YYYY-MM-DD")
        approve = sub.add_parser("approve", help="Approve an agreement for our side")
        revoke = sub.add_parser("revoke", help="Revoke or decline an agreement, at once")
        revoke.add_argument("--reason", required=True)
        rows = sub.add_parser("rows", help="Read what an agreement shares with us (logged)")
        rows.add_argument("--limit", type=int, default=50)
        rows.add_argument("--cursor")
        log = sub.add_parser("log", help="An agreement's read log, newest first")
        consent = sub.add_parser("consent", help="Record a member's consent (staff)")
        consent.add_argument("--person", required=True, help="The member's id or email")
        consent.add_argument("--withdraw", action="store_true")
        for p in (show, approve, revoke, rows, log, consent):
            p.add_argument("agreement", help="The agreement's id")
        for p in (ls, show, propose, approve, revoke, rows, log, consent):
            p.add_argument("--association", required=True)
            p.add_argument("--json", action="store_true", dest="as_json")
        for p in (propose, approve, revoke, rows, consent):
            p.add_argument("--by", dest="as_email", required=True,
                           help="Email of the staff member acting")

    def handle(self, *args, action: str, association: str, **options) -> None:
        assoc = association_named(association)
        with scope(association=assoc):
            try:
                getattr(self, f"_{action}")(assoc, **options)
            except DomainError as exc:
                raise refused(exc, options=OPTIONS) from None

    # ------------------------------------------------------------ helpers

    def _say(self, payload: Any, text: str, as_json: bool) -> None:
        self.stdout.write(json.dumps(payload, default=str, indent=2) if as_json else text)

    @staticmethod
    def _agreement(assoc, ref: str):
        agreement_id = parse_id(ref)
        if agreement_id is None:
            raise CommandError(f"not an agreement id: {ref!r}")
        try:
            return crossing.agreement_visible(association=assoc, agreement_id=agreement_id)
        except NotFound:
            raise CommandError(f"No agreement {ref} of {assoc.slug}") from None

    @staticmethod
    def _facts(a, assoc) -> dict[str, Any]:
        return {"id": a.pk, "title": a.title, "grantor": a.association.slug,
                "recipient": a.recipient.slug, "status": crossing.state(a),
                "record_kind": a.record_kind, "fields": list(a.fields),
                "consent_required": a.consent_required, "row_filter": a.row_filter,
                "starts_on": a.starts_on, "expires_on": a.expires_on, "purpose": a.purpose,
                "side": "grantor" if a.association_id == assoc.pk else "recipient"}

    def _line(self, a, assoc) -> str:
        f = self._facts(a, assoc)
        arrow = (f"→ {f['recipient']}" if f["side"] == "grantor" else f"← {f['grantor']}")
        return (f"{a.pk:>6}  {f['status']:<9} {arrow:<24} {a.title} "
                f"[{', '.join(a.fields)}] until {a.expires_on}")

    # ------------------------------------------------------------ subcommands

    def _list(self, assoc, *, side=None, as_json=False, **_):
        found = crossing.agreements_of(assoc, side=side)
        self._say([self._facts(a, assoc) for a in found],
                  "\n".join(self._line(a, assoc) for a in found) or "No agreements.", as_json)

    def _show(self, assoc, *, agreement, as_json=False, **_):
        a = self._agreement(assoc, agreement)
        f = self._facts(a, assoc)
        reads = crossing.reads_count(a)
        text = "\n".join([self._line(a, assoc), f"purpose: {a.purpose}",
                          f"consent required: {'yes' if a.consent_required else 'no'}",
                          f"period: {a.starts_on} – {a.expires_on}", f"reads logged: {reads}"])
        self._say({**f, "reads": reads}, text, as_json)

    def _propose(self, assoc, *, partner, request, title, purpose, kind, fields, no_consent,
                 filter, starts, expires, as_email, as_json=False, **_):
        actor = staff_named(assoc, as_email)
        row_filter = None
        if filter:
            try:
                row_filter = json.loads(filter)
            except ValueError:
                raise CommandError("--filter: not JSON") from None
        a = services.agreement_propose(
            association=assoc, partner=partner, direction="request" if request else "grant",
            title=title, purpose=purpose, record_kind=kind, fields=fields,
            row_filter=row_filter, consent_required=not no_consent, starts_on=starts,
            expires_on=expires, actor=actor)
        self._say(self._facts(a, assoc), f"Proposed agreement {a.pk}: it waits for the "
                                         "other side's approval.", as_json)

    def _approve(self, assoc, *, agreement, as_email, as_json=False, **_):
        a = services.agreement_approve(association=assoc,
                                       agreement=self._agreement(assoc, agreement),
                                       actor=staff_named(assoc, as_email))
        self._say(self._facts(a, assoc), f"Agreement {a.pk}: {crossing.state(a)}.", as_json)

    def _revoke(self, assoc, *, agreement, reason, as_email, as_json=False, **_):
        a = services.agreement_revoke(association=assoc,
                                      agreement=self._agreement(assoc, agreement),
                                      reason=reason, actor=staff_named(assoc, as_email))
        self._say(self._facts(a, assoc), f"Agreement {a.pk} revoked.", as_json)

    def _rows(self, assoc, *, agreement, limit, cursor, as_email, as_json=False, **_):
        agreement_id = parse_id(agreement)
        if agreement_id is None:
            raise CommandError(f"not an agreement id: {agreement!r}")
        page = crossing.shared_rows(agreement_id=agreement_id, recipient=assoc,
                                    reader=staff_named(assoc, as_email), via="cli",
                                    cursor=cursor, limit=limit)
        if as_json:
            self._say({"fields": page.fields, "items": page.rows,
                       "next_cursor": page.next_cursor}, "", True)
            return
        writer = csv.writer(self.stdout)
        writer.writerow(page.fields)
        for row in page.rows:
            writer.writerow(["" if row[k] is None else row[k] for k in page.fields])
        if page.next_cursor:
            self.stderr.write(f"more: --cursor {page.next_cursor}")

    def _log(self, assoc, *, agreement, as_json=False, **_):
        a = self._agreement(assoc, agreement)
        reads = crossing.read_log(association=assoc, agreement_id=a.pk)
        payload = [{"at": r.at, "reader": r.reader.email if r.reader else None, "via": r.via,
                    "rows": r.rows, "fields": r.fields} for r in reads]
        text = "\n".join(f"{r['at']:%Y-%m-%d %H:%M}  {r['reader'] or '(system)':<30} "
                         f"{r['via']:<4} {r['rows']:>6} rows" for r in payload)
        self._say(payload, text or "Nothing read yet.", as_json)

    def _consent(self, assoc, *, agreement, person, withdraw, as_email, as_json=False, **_):
        a = self._agreement(assoc, agreement)
        found = selectors.person_for_consent(association=assoc, ref=person)
        if found is None:
            raise CommandError(f"--person: no member {person!r} in {assoc.slug}")
        write = services.consent_withdraw if withdraw else services.consent_give
        write(association=assoc, agreement=a, person=found, via="staff",
              actor=staff_named(assoc, as_email))
        self._say({"agreement": a.pk, "person": found.pk, "given": not withdraw},
                  f"Consent {'withdrawn' if withdraw else 'given'}: person {found.pk}, "
                  f"agreement {a.pk}.", as_json)
