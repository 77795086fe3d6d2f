"""Open Badges from the command line.

    commonground badges issue --association SLUG --tier TIER PERSON [--narrative TEXT] [--json]
    commonground badges revoke --association SLUG UUID --reason TEXT [--json]
    commonground badges list --association SLUG [--person PERSON] [--json]

PERSON is an id or an email address; TIER a tier's slug. ``issue`` awards the badge now
(an Open Badges 2.0 hosted assertion, and a 3.0 credential the member downloads);
``revoke`` makes its hosted assertion answer 410 Gone with the reason. A refused request
prints why and exits non-zero.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from commonground.core.errors import DomainError
from commonground.recognition import openbadges, selectors, services
from commonground.recognition.cli import association_for, person_for, refused, tier_for


class Command(BaseCommand):
    help = "Issue, revoke and list Open Badges."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue", help="Award a tier's badge to a person")
        issue.add_argument("person")
        issue.add_argument("--tier", required=True)
        issue.add_argument("--narrative", default="")
        revoke = sub.add_parser("revoke", help="Revoke a badge by its uuid")
        revoke.add_argument("uuid")
        revoke.add_argument("--reason", required=True)
        listing = sub.add_parser("list", help="List badges")
        listing.add_argument("--person")
        for p in (issue, revoke, listing):
            p.add_argument("--association", required=True)
            p.add_argument("--json", action="store_true")

    def handle(self, *args, action: str, association: str, **options) -> None:
        (assoc,) = association_for(association)
        with scope(association=assoc):
            issuer = services.issuer_get(association=assoc)
            try:
                if action == "issue":
                    awards = [services.award_issue(
                        association=assoc, tier=tier_for(options["tier"]),
                        person=person_for(options["person"]), narrative=options["narrative"])]
                elif action == "revoke":
                    award = selectors.award_by_uuid(options["uuid"])
                    if award is None:
                        raise CommandError(f"No badge {options['uuid']!r} in {assoc.slug}")
                    awards = [services.award_revoke(association=assoc, award=award,
                                                    reason=options["reason"])]
                else:
                    person = person_for(options["person"]) if options["person"] else None
                    awards = list(selectors.award_list(person=person))
            except DomainError as exc:
                raise refused(exc) from None
            rows = [{"uuid": str(a.uuid), "tier": a.tier.slug, "person_id": a.person_id,
                     "issued_at": a.issued_at.isoformat(),
                     "revoked": a.revoked_at is not None, "reason": a.revocation_reason,
                     "assertion": openbadges.url(issuer, "badge_assertion", uuid=str(a.uuid))}
                    for a in awards]
        if options["json"]:
            self.stdout.write(json.dumps(rows[0] if action != "list" else rows))
            return
        for r in rows:
            state = f"revoked: {r['reason']}" if r["revoked"] else "active"
            self.stdout.write(f"{r['uuid']}\t{r['tier']}\t{r['person_id']}\t{state}\t"
                              f"{r['assertion']}")
