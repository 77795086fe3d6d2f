"""Joint products of partnerships and their approvals from the command line.

    commonground approvals list --association SLUG [--partnership ID] [--status S] [--json]
    commonground approvals summary --association SLUG [--json]
    commonground approvals show ID --association SLUG [--json]
    commonground approvals create --association SLUG --by EMAIL --partnership ID --name NAME
        [--kind campaign|product|publication|event|activity] [--description TEXT]
        [--due-on DATE] [--slug SLUG] [--json]
    commonground approvals edit ID --association SLUG --by EMAIL [--name …] [--kind …]
        [--description …] [--due-on DATE|none] [--slug …]
    commonground approvals submit ID --association SLUG --by EMAIL
    commonground approvals decide ID --association SLUG --by EMAIL --party us|NAME|PARTY-ID
        --decision approved|changes [--note TEXT] [--contact EMAIL]
    commonground approvals resend ID --association SLUG --by EMAIL --party NAME|PARTY-ID
    commonground approvals link ID --association SLUG --by EMAIL --party NAME|PARTY-ID
    commonground approvals verify ID --association SLUG --by EMAIL --notes TEXT
    commonground approvals credit ID --association SLUG --by EMAIL --party us|NAME|ID --text TEXT
    commonground approvals publish ID --association SLUG --by EMAIL
    commonground approvals withdraw ID --association SLUG --by EMAIL --reason TEXT
    commonground approvals deliver ID --association SLUG --by EMAIL --on DATE|none
    commonground approvals review ID --association SLUG --by EMAIL --score 1-5 [--notes TEXT]

``--by`` names the staff member acting. ``decide --party us`` is our approver's own
sign-off (``--by`` must be them); for a partner, ``--contact`` names the approver contact
who gave the decision (refused for anyone who is not an approver of that party).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from commonground.core.errors import DomainError
from commonground.core.ids import parse_id
from commonground.tenancy.cli import association_named, refused, staff_named
from commonground.tenancy.clock import association_today

from ... import selectors_products as sel
from ... import services_products as services
from ...models import (
    JointProduct,
    PartnerContact,
    Partnership,
    PartnershipParty,
    ProductApproval,
    ProductKind,
    ProductStatus,
)

OPTIONS = {"due_on": "--due-on", "delivered_on": "--on", "contribution": "--text",
           "partnership": "--partnership", "approvers": "--party"}


def _date(value: str | None, option: str) -> date | None:
    if value in (None, "", "none"):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}: a date as YYYY-MM-DD (or none)") from None


class Command(BaseCommand):
    help = "Joint products: create, submit for approval, decide, verify, credit, publish."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)

        def cmd(name: str, text: str, *, target: bool = True, by: bool = True):
            p = sub.add_parser(name, help=text)
            if target:
                p.add_argument("product", help="The joint product's id or address (slug)")
            p.add_argument("--association", required=True)
            p.add_argument("--by", required=by, help="Email of the staff member acting")
            p.add_argument("--json", action="store_true", dest="as_json")
            return p

        lst = cmd("list", "The association's joint products", target=False, by=False)
        lst.add_argument("--partnership")
        lst.add_argument("--status", choices=ProductStatus.values)
        cmd("summary", "On-time share and average quality per partnership", target=False,
            by=False)
        cmd("show", "One product with its approvals", by=False)
        create = cmd("create", "A new draft", target=False)
        create.add_argument("--partnership", required=True, help="The partnership's id or name")
        create.add_argument("--name", required=True)
        edit = cmd("edit", "Change a product (content: a new version)")
        for p in (create, edit):
            p.add_argument("--kind", choices=ProductKind.values)
            p.add_argument("--description")
            p.add_argument("--due-on")
            p.add_argument("--slug")
        edit.add_argument("--name")
        cmd("submit", "Ask every party's approver")
        decide = cmd("decide", "Our approver's decision, or a partner's given outside")
        decide.add_argument("--party", required=True, help="us, the partner's name, or its id")
        decide.add_argument("--decision", required=True, choices=["approved", "changes"])
        decide.add_argument("--note", default="")
        decide.add_argument("--contact", help="The partner's approver (email) who decided")
        resend = cmd("resend", "Email a partner's approvers a new link")
        resend.add_argument("--party", required=True)
        link = cmd("link", "Print new links for a partner's approvers (instead of email)")
        link.add_argument("--party", required=True)
        cmd("verify", "Verify an approved product").add_argument("--notes", required=True)
        credit = cmd("credit", "Set a party's credit")
        credit.add_argument("--party", required=True)
        credit.add_argument("--text", required=True)
        cmd("publish", "Publish a verified product's credit page")
        cmd("withdraw", "Withdraw a product").add_argument("--reason", required=True)
        cmd("deliver", "Record the delivery date").add_argument("--on", required=True,
                                                                 dest="on")
        review = cmd("review", "Add a quality review")
        review.add_argument("--score", required=True)
        review.add_argument("--notes", default="")

    def handle(self, *args, action: str, association: str, **options) -> None:
        assoc = association_named(association)
        with scope(association=assoc):
            options["actor"] = staff_named(assoc, options.pop("by", None))
            try:
                getattr(self, f"_{action}")(assoc, **options)
            except DomainError as exc:
                raise refused(exc, options=OPTIONS) from None

    # ---- helpers

    def _emit(self, data: Any, text: str, as_json: bool) -> None:
        self.stdout.write(json.dumps(data, default=str) if as_json else text)

    def _product(self, value: str) -> JointProduct:
        pk = parse_id(value)
        qs = JointProduct.objects.select_related("partnership")
        found = qs.filter(pk=pk).first() if pk else qs.filter(slug=value).first()
        if found is None:
            raise CommandError(f"No joint product {value!r} in this association")
        return found

    def _party(self, product: JointProduct, value: str) -> PartnershipParty:
        parties = sel.parties_of(product)
        v = value.strip().lower()
        found = next((p for p in parties if (v == "us" and p.is_us) or str(p.pk) == v
                      or p.label.lower() == v), None)
        if found is None:
            names = ", ".join(["us", *(p.label for p in parties if not p.is_us)])
            raise CommandError(f"--party: no party {value!r} in this partnership ({names})")
        return found

    def _row(self, p: JointProduct, assoc) -> dict[str, Any]:
        sel.with_waiting([p])
        t = sel.timeliness(p, association_today(assoc))
        return {"id": p.pk, "name": p.name, "slug": p.slug, "kind": p.kind,
                "partnership": p.partnership.name, "version": p.version, "status": p.status,
                "waiting_for": p.waiting, "due_on": p.due_on, "delivered_on": p.delivered_on,
                "timeliness": t.label}

    def _line(self, r: dict[str, Any]) -> str:
        waiting = f" waiting for {', '.join(r['waiting_for'])}" if r["waiting_for"] else ""
        return (f"{r['id']:>6}  {r['status']:<11} v{r['version']}  {r['name']} "
                f"({r['partnership']}; {r['timeliness']}){waiting}")

    # ---- reads

    def _list(self, assoc, *, partnership=None, status=None, as_json=False, **_: Any) -> None:
        rows = [self._row(p, assoc) for p in sel.products(
            partnership_id=parse_id(partnership or ""), status=status or "")[:500]]
        self._emit(rows, "\n".join(self._line(r) for r in rows) or "No joint products.",
                   as_json)

    def _summary(self, assoc, *, as_json=False, **_: Any) -> None:
        rows = [{"partnership": s.partnership.name, "products": s.products,
                 "on_time_pct": s.on_time_pct, "overdue": s.overdue, "quality": s.quality}
                for s in sel.partnership_summaries(association_today(assoc))]
        self._emit(rows, "\n".join(
            f"{r['partnership']}: {r['products']} products, on time "
            f"{'—' if r['on_time_pct'] is None else str(r['on_time_pct']) + ' %'}, "
            f"{r['overdue']} overdue, quality {r['quality'] or '—'}" for r in rows)
            or "No joint products.", as_json)

    def _show(self, assoc, *, product, as_json=False, **_: Any) -> None:
        p = self._product(product)
        data = self._row(p, assoc)
        data["approvals"] = [
            {"id": a.pk, "version": a.version, "party": a.label, "decision": a.decision,
             "by": (a.contact.email if a.contact_id else
                    a.approver_user.email if a.approver_user_id else None), "note": a.note}
            for _, rows in sel.approvals_by_version(p) for a in rows]
        data["credits"] = {services.party_label(c.party): c.contribution
                           for c in p.credits.select_related("party__organisation",
                                                             "party__association")}
        lines = [self._line(data)] + [
            f"  v{a['version']} {a['party']}: {a['decision']}"
            f"{' by ' + a['by'] if a['by'] else ''}{' — ' + a['note'] if a['note'] else ''}"
            for a in data["approvals"]] + [f"  credit {k}: {v}" for k, v in
                                           data["credits"].items()]
        self._emit(data, "\n".join(lines), as_json)

    # ---- writes

    def _done(self, assoc, p: JointProduct, text: str, as_json: bool) -> None:
        p = self._product(str(p.pk))
        row = self._row(p, assoc)
        self._emit(row, f"{text} {self._line(row).strip()}", as_json)

    def _create(self, assoc, *, partnership, name, kind=None, description=None, due_on=None,
                slug=None, actor=None, as_json=False, **_: Any) -> None:
        pk = parse_id(partnership)
        found = (Partnership.objects.filter(pk=pk).first() if pk else
                 Partnership.objects.filter(name__iexact=partnership).first())
        if found is None:
            raise CommandError(f"--partnership: no partnership {partnership!r} here")
        p = services.joint_product_create(
            association=assoc, partnership=found, name=name, kind=kind or "campaign",
            description=description or "", due_on=_date(due_on, "--due-on"), slug=slug or "",
            actor=actor)
        self._done(assoc, p, "Draft saved.", as_json)

    def _edit(self, assoc, *, product, name=None, kind=None, description=None, due_on=None,
              slug=None, actor=None, as_json=False, **_: Any) -> None:
        values: dict[str, Any] = {"name": name, "kind": kind, "description": description,
                                  "slug": slug}
        if due_on is not None:
            values["due_on"] = _date(due_on, "--due-on")
        p = services.joint_product_update(association=assoc, product=self._product(product),
                                          actor=actor, **values)
        self._done(assoc, p, "Saved.", as_json)

    def _submit(self, assoc, *, product, actor=None, as_json=False, **_: Any) -> None:
        p = services.joint_product_submit(association=assoc, product=self._product(product),
                                          actor=actor)
        self._done(assoc, p, "Submitted; partners' approvers emailed.", as_json)

    def _approval(self, p: JointProduct, party: PartnershipParty) -> ProductApproval:
        found = ProductApproval.objects.filter(product=p, party=party,
                                               version=p.version).first()
        if found is None:
            raise CommandError(f"Version {p.version} of {p.name!r} was not submitted: run "
                               "`approvals submit` first")
        return found

    def _decide(self, assoc, *, product, party, decision, note="", contact=None, actor=None,
                as_json=False, **_: Any) -> None:
        p = self._product(product)
        approval = self._approval(p, self._party(p, party))
        if contact:
            found = PartnerContact.objects.filter(email__iexact=contact.strip(),
                                                  party__partnership=p.partnership_id) \
                .order_by("-is_approver", "pk").first()
            if found is None:
                raise CommandError(f"--contact: no contact {contact!r} in this partnership")
            services.approval_record(association=assoc, product=p, approval=approval,
                                     contact=found, decision=decision, note=note, actor=actor)
        else:
            services.approval_decide(association=assoc, product=p, approval=approval,
                                     decision=decision, note=note, actor=actor)
        self._done(assoc, p, "Decision recorded.", as_json)

    def _resend(self, assoc, *, product, party, actor=None, as_json=False, **_: Any) -> None:
        p = self._product(product)
        services.approval_resend(association=assoc, product=p,
                                 approval=self._approval(p, self._party(p, party)), actor=actor)
        self._done(assoc, p, "New link emailed.", as_json)

    def _link(self, assoc, *, product, party, actor=None, as_json=False, **_: Any) -> None:
        p = self._product(product)
        links = services.approval_links_issue(
            association=assoc, product=p, approval=self._approval(p, self._party(p, party)),
            actor=actor)
        self._emit([{"contact": c.email, "url": url} for c, url in links],
                   "\n".join(f"{c.name} <{c.email}>: {url}" for c, url in links), as_json)

    def _verify(self, assoc, *, product, notes, actor=None, as_json=False, **_: Any) -> None:
        p = services.joint_product_verify(association=assoc, product=self._product(product),
                                          notes=notes, actor=actor)
        self._done(assoc, p, "Verified.", as_json)

    def _credit(self, assoc, *, product, party, text, actor=None, as_json=False,
                **_: Any) -> None:
        p = self._product(product)
        services.product_credit_set(association=assoc, product=p, party=self._party(p, party),
                                    contribution=text, actor=actor)
        self._done(assoc, p, "Credit saved.", as_json)

    def _publish(self, assoc, *, product, actor=None, as_json=False, **_: Any) -> None:
        p = services.joint_product_publish(association=assoc, product=self._product(product),
                                           actor=actor)
        self._done(assoc, p, f"Published at /partners/{assoc.slug}/credits/{p.slug}/.", as_json)

    def _withdraw(self, assoc, *, product, reason, actor=None, as_json=False, **_: Any) -> None:
        p = services.joint_product_withdraw(association=assoc, product=self._product(product),
                                            reason=reason, actor=actor)
        self._done(assoc, p, "Withdrawn.", as_json)

    def _deliver(self, assoc, *, product, on, actor=None, as_json=False, **_: Any) -> None:
        p = services.joint_product_deliver(association=assoc, product=self._product(product),
                                           delivered_on=_date(on, "--on"), actor=actor)
        self._done(assoc, p, "Delivery recorded.", as_json)

    def _review(self, assoc, *, product, score, notes="", actor=None, as_json=False,
                **_: Any) -> None:
        p = self._product(product)
        services.quality_review_add(association=assoc, product=p, score=score, notes=notes,
                                    actor=actor)
        self._done(assoc, p, "Review recorded.", as_json)
