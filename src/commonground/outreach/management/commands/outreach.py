"""Outreach lists from the command line.

    commonground outreach list --association SLUG [--json]
    commonground outreach create --association SLUG --name NAME (--segment ID | --people 1,2,…)
        [--holdout PERCENT] [--seed N] [--json]
    commonground outreach contacts ID --association SLUG (--people 1,2,… | --file IDS)
        [--status contacted|unreachable] [--channel manual|api|campaign] [--note TEXT] [--json]
    commonground outreach export ID --association SLUG        (CSV of the contact group)
    commonground outreach report ID --association SLUG [--json]

``--file`` reads person ids one a line (or the ``person_id`` column of a CSV, such as
``export``'s). ``report`` prints the counts per group and the difference of renewal rates
with its 95 % interval, the verdict last (``verdict=…``).
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from commonground.core.errors import ValidationFailed
from commonground.tenancy.cli import association_named, refused
from commonground.tenancy.models import Association

from ... import report, selectors, services
from ...models import Channel, Outreach

OPTIONS = {"segment": "--segment", "person_ids": "--people", "holdout_percent": "--holdout"}




def _ids(text: str | None) -> list[str]:
    return [w.strip() for w in (text or "").split(",") if w.strip()]


def _file_ids(path: str) -> list[str]:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CommandError(f"--file: {exc.strerror}: {path}") from None
    lines = text.splitlines()
    if lines and "person_id" in lines[0]:
        return [row["person_id"] for row in csv.DictReader(lines) if row.get("person_id")]
    return [line.strip() for line in lines if line.strip()]


class Command(BaseCommand):
    help = "Outreach lists with a random holdout: create, record contacts, export, report."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        lst = sub.add_parser("list", help="The association's outreach lists")
        lst.add_argument("--association", required=True)
        lst.add_argument("--json", action="store_true", dest="as_json")

        create = sub.add_parser("create", help="Make a list from a segment or people")
        create.add_argument("--association", required=True)
        create.add_argument("--name", required=True)
        create.add_argument("--segment", help="A segment's id: its people today")
        create.add_argument("--people", help="Or person ids, comma-separated")
        create.add_argument("--holdout", help="Percent held back (default: the setting)")
        create.add_argument("--seed", help="Repeat an earlier draw")
        create.add_argument("--description", default="")
        create.add_argument("--json", action="store_true", dest="as_json")

        contacts = sub.add_parser("contacts", help="Record people as contacted or not reachable")
        contacts.add_argument("outreach", help="The list's id")
        contacts.add_argument("--association", required=True)
        contacts.add_argument("--people", help="Person ids, comma-separated")
        contacts.add_argument("--file", help="Person ids one a line, or a CSV with person_id")
        contacts.add_argument("--status", default="contacted", choices=services.RECORDABLE)
        contacts.add_argument("--channel", default=Channel.MANUAL,
                              choices=[c for c in Channel.values if c != Channel.EXPORT])
        contacts.add_argument("--note", default="")
        contacts.add_argument("--json", action="store_true", dest="as_json")

        export = sub.add_parser("export", help="The contact group as CSV (marks them exported)")
        export.add_argument("outreach", help="The list's id")
        export.add_argument("--association", required=True)

        rep = sub.add_parser("report", help="Renewal of the contacted against the held back")
        rep.add_argument("outreach", help="The list's id")
        rep.add_argument("--association", required=True)
        rep.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, action: str, association: str, **options) -> None:
        assoc = association_named(association)
        with scope(association=assoc):
            try:
                getattr(self, f"_{action}")(assoc, **options)
            except ValidationFailed as exc:
                raise refused(exc, options=OPTIONS) from None

    def _outreach(self, value: str) -> Outreach:
        found = Outreach.objects.filter(pk=int(value)).first() if value.isdigit() else None
        if found is None:
            raise CommandError(f"No outreach list {value!r} in this association")
        return found

    def _list(self, assoc: Association, *, as_json: bool = False, **_: Any) -> None:
        rows = list(selectors.outreach_list())
        if as_json:
            self.stdout.write(json.dumps([{"id": o.pk, "name": o.name, "made_on": str(o.made_on),
                                           "people": o.n_people, "held_back": o.n_holdout,
                                           "reached": o.n_reached} for o in rows]))
            return
        if not rows:
            self.stdout.write("No outreach lists yet.")
        for o in rows:
            self.stdout.write(f"{o.pk:>6}  {o.made_on}  {o.n_people:>6} people, {o.n_holdout} "
                              f"held back, {o.n_reached} reached  {o.name}")

    def _create(self, assoc: Association, *, name: str, segment=None, people=None,
                holdout=None, seed=None, description: str = "", as_json: bool = False,
                **_: Any) -> None:
        made = services.outreach_create(
            association=assoc, name=name, segment=segment,
            person_ids=_ids(people) if people is not None else None, holdout_percent=holdout,
            seed=seed, description=description)
        counts = selectors.counts(made)
        out = {"id": made.pk, "people": counts["contact"] + counts["holdout"],
               "held_back": counts["holdout"], "holdout_percent": made.holdout_percent,
               "seed": made.seed, "stratified": made.stratified}
        if as_json:
            self.stdout.write(json.dumps(out))
        else:
            self.stdout.write(f"List {made.pk} “{made.name}”: {out['people']} people, "
                              f"{out['held_back']} held back ({made.holdout_percent} %, seed "
                              f"{made.seed}{', within risk bands' if made.stratified else ''}).")

    def _contacts(self, assoc: Association, *, outreach: str, people=None, file=None,
                  status: str, channel: str, note: str, as_json: bool = False, **_: Any) -> None:
        target = self._outreach(outreach)
        ids = _ids(people) + (_file_ids(file) if file else [])
        n = services.outreach_contacts_record(association=assoc, outreach=target,
                                              person_ids=ids, status=status, channel=channel,
                                              note=note)
        if as_json:
            self.stdout.write(json.dumps({"outreach_id": target.pk, "recorded": n,
                                          "status": status}))
        else:
            self.stdout.write(f"{n} recorded as {status} on list {target.pk}.")

    def _export(self, assoc: Association, *, outreach: str, **_: Any) -> None:
        rows = services.outreach_export(association=assoc, outreach=self._outreach(outreach))
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(selectors.ExportRow.HEADER)
        for r in rows:
            writer.writerow(r.cells())

    def _report(self, assoc: Association, *, outreach: str, as_json: bool = False,
                **_: Any) -> None:
        found = report.effect_report(self._outreach(outreach))
        data = found.as_dict()
        if as_json:
            self.stdout.write(json.dumps(data))
            return
        for key, label in (("contact", "drawn for contact"), ("holdout", "held back")):
            g = data[key]
            rate = "—" if g["renewal_rate"] is None else f"{g['renewal_rate']:.1%}"
            self.stdout.write(f"{label:>18}: {g['people']} people, {g['renewed']} renewed of "
                              f"{g['decided']} decided ({rate}), {g['pending']} pending, "
                              f"{g['no_renewal_ahead']} with no renewal ahead")
        self.stdout.write(found.summary())
        if data["difference"] is not None:
            self.stdout.write(f"difference={data['difference']:.4f} ci_low={data['ci_low']:.4f} "
                              f"ci_high={data['ci_high']:.4f}")
        self.stdout.write(f"verdict={data['verdict']}")
