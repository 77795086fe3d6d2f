"""``commonground people duplicates --association S [--json] [--limit N] [--min-score N]``
and ``commonground people merge KEEP_ID REMOVE_ID --association S [--field F=keep|remove]
[--json]``: find and merge duplicate people from the command line."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from commonground.core.errors import DomainError
from commonground.people import duplicates, services
from commonground.people.models import Person
from commonground.tenancy.cli import association_named
from commonground.tenancy.models import Association


class Command(BaseCommand):
    help = "Find and merge duplicate people."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        dups = sub.add_parser("duplicates", help="List possible duplicate pairs, best first")
        dups.add_argument("--association", required=True, help="Association slug")
        dups.add_argument("--limit", type=int, default=50, help="Pairs to show (0: all)")
        dups.add_argument("--min-score", type=int, default=0)
        dups.add_argument("--json", action="store_true", help="One JSON object per line")
        merge = sub.add_parser("merge", help="Merge REMOVE_ID into KEEP_ID")
        merge.add_argument("keep_id", type=int)
        merge.add_argument("remove_id", type=int)
        merge.add_argument("--association", required=True, help="Association slug")
        merge.add_argument("--field", action="append", default=[], metavar="FIELD=SIDE",
                           help="Whose value to keep, e.g. --field email=remove (repeatable)")
        merge.add_argument("--json", action="store_true", help="Print the result as JSON")

    def handle(self, *args, action: str, association: str, **options) -> None:
        assoc = association_named(association)
        with scope(association=assoc):
            if action == "duplicates":
                self._duplicates(assoc, **options)
            else:
                self._merge(assoc, **options)

    def _duplicates(self, assoc: Association, *, limit: int, min_score: int, json: bool,
                    **_) -> None:
        found = [c for c in duplicates.duplicate_candidates(association=assoc)
                 if c.score >= min_score]
        shown = duplicates.with_people(found[:limit] if limit > 0 else found)
        for c in shown:
            a, b = c.people
            if json:
                self.stdout.write(_json({"id": c.key, "score": c.score, "reasons": c.reasons,
                                         "person_a": _brief(a), "person_b": _brief(b)}))
            else:
                self.stdout.write(f"{c.score:3d}  {a.pk} {a} <{a.email}>  ~  {b.pk} {b} "
                                  f"<{b.email}>\n     {'; '.join(c.reasons)}")
        if not json:
            self.stderr.write(f"{len(found)} possible duplicate pairs"
                              + (f" (showing {len(shown)})" if len(shown) < len(found) else ""))

    def _merge(self, assoc: Association, *, keep_id: int, remove_id: int, field: list[str],
               json: bool, **_) -> None:
        choices = {}
        for item in field:
            name, sep, side = item.partition("=")
            if not sep:
                raise CommandError(f"--field {item!r}: expected FIELD=keep or FIELD=remove")
            choices[name.strip()] = side.strip()
        keep = Person.objects.filter(pk=keep_id).first()
        if keep is None:
            raise CommandError(f"No person {keep_id} in {assoc.slug}")
        remove = Person.objects.filter(pk=remove_id).first()
        try:
            if remove is None:
                result = services.merge_outcome(keep=keep, remove_id=remove_id)
                if result is None:
                    raise CommandError(f"No person {remove_id} in {assoc.slug}")
            else:
                result = services.person_merge(association=assoc, keep=keep, remove=remove,
                                              field_choices=choices)
        except DomainError as exc:
            detail = "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.fields.items())
            raise CommandError(f"{exc.message}" + (f" ({detail})" if detail else "")) from None
        if json:
            self.stdout.write(_json({
                "person": _brief(result.person), "removed_id": result.removed_id,
                "moved": result.moved, "fields_from_removed": result.fields_from_removed,
                "identities_added": result.identities_added,
                "already_merged": result.already_merged}))
            return
        if result.already_merged:
            self.stdout.write(f"Person {remove_id} was already merged into {keep.pk}.")
            return
        moved = ", ".join(f"{n} {label}" for label, n in sorted(result.moved.items())) or "nothing"
        self.stdout.write(f"Merged person {result.removed_id} into {result.person.pk} "
                          f"({result.person}). Moved: {moved}.")


def _brief(p: Person) -> dict:
    return {"id": p.pk, "first_name": p.first_name, "last_name": p.last_name, "email": p.email}


def _json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)
