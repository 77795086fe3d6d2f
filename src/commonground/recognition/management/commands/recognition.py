"""Recognition tiers from the command line.

    commonground recognition evaluate [--association SLUG] [--json]
    commonground recognition tiers --association SLUG [--defaults] [--json]

``evaluate`` runs every active tier's rule over verified contributions (all associations
without ``--association``): candidates are nominated for staff approval, or awarded for a
tier set to award directly. Running it again adds nothing. ``tiers`` lists the tiers;
``--defaults`` first installs Contributor, Leader and Star if there are none.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand
from django_scopes import scope

from commonground.core.errors import DomainError
from commonground.recognition import services
from commonground.recognition.cli import association_for, refused
from commonground.recognition.models import Tier


class Command(BaseCommand):
    help = "Evaluate recognition tiers; list them."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ev = sub.add_parser("evaluate", help="Find candidates for every tier")
        ev.add_argument("--association", help="Slug; every association when left out")
        ev.add_argument("--json", action="store_true")
        ti = sub.add_parser("tiers", help="List the tiers")
        ti.add_argument("--association", required=True)
        ti.add_argument("--defaults", action="store_true",
                        help="Install Contributor, Leader and Star when there are no tiers")
        ti.add_argument("--json", action="store_true")

    def handle(self, *args, action: str, association: str | None, **options) -> None:
        for assoc in association_for(association):
            with scope(association=assoc):
                try:
                    if action == "evaluate":
                        self._evaluate(assoc, options["json"])
                    else:
                        self._tiers(assoc, options["defaults"], options["json"])
                except DomainError as exc:
                    raise refused(exc) from None

    def _evaluate(self, assoc, as_json: bool) -> None:
        result = services.tiers_evaluate(association=assoc)
        if as_json:
            self.stdout.write(json.dumps({"association": assoc.slug, **result.as_dict()}))
            return
        self.stdout.write(f"{assoc.slug}: {result.candidates} candidate(s), "
                          f"{result.nominated} nominated, {result.awarded} awarded")
        for slug, counts in result.per_tier.items():
            self.stdout.write(f"  {slug}: {counts['candidates']} candidate(s), "
                              f"{counts['nominated']} nominated, {counts['awarded']} awarded")

    def _tiers(self, assoc, defaults: bool, as_json: bool) -> None:
        if defaults:
            services.tiers_install_defaults(association=assoc)
        tiers = list(Tier.objects.all())
        if as_json:
            self.stdout.write(json.dumps([{"slug": t.slug, "name": t.name, "rule": t.rule_text,
                                           "auto_award": t.auto_award, "active": t.is_active}
                                          for t in tiers]))
            return
        for t in tiers:
            self.stdout.write(f"{t.slug}\t{t.name}\t{t.rule_text}"
                              f"{'' if t.is_active else ' (not in use)'}")
