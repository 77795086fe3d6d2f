"""``commonground source create|list|show``: the activity feeds of an association.

    commonground source create --association acme --name "Newsletter" --profile email
    commonground source create --association acme --name "Store" --mapping store.toml
    commonground source list --association acme [--json]
    commonground source show --association acme --source newsletter [--secret]
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django_scopes import scope

from commonground.activity.mapping import load_mapping_file, mapping_to_toml, profile_kinds
from commonground.activity.models import ProfileKind, Source
from commonground.activity.services import source_create
from commonground.core.errors import DomainError
from commonground.tenancy.cli import association_named


class Command(BaseCommand):
    help = "Manage activity sources (feeds) and their mapping profiles."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a source from a profile or a TOML mapping")
        create.add_argument("--association", required=True)
        create.add_argument("--name", required=True)
        create.add_argument("--slug", default="")
        group = create.add_mutually_exclusive_group(required=True)
        group.add_argument("--profile", choices=profile_kinds())
        group.add_argument("--mapping", type=Path, help="A mapping profile in TOML")
        lst = sub.add_parser("list", help="List the sources and their health")
        lst.add_argument("--association", required=True)
        lst.add_argument("--json", action="store_true", dest="as_json")
        show = sub.add_parser("show", help="Show a source and its mapping (TOML)")
        show.add_argument("--association", required=True)
        show.add_argument("--source", required=True, help="Slug or name")
        show.add_argument("--secret", action="store_true", help="Also print the webhook secret")

    def handle(self, *args, action: str, association: str, **options) -> None:
        assoc = association_named(association)
        with scope(association=assoc):
            try:
                getattr(self, f"_{action}")(assoc, **options)
            except DomainError as exc:
                detail = "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.fields.items())
                raise CommandError(f"{exc.message}" + (f" ({detail})" if detail else ""))

    def _create(self, assoc, *, name, slug, profile=None, mapping=None, **_) -> None:
        data = load_mapping_file(mapping) if mapping else None
        source = source_create(association=assoc, name=name, slug=slug,
                               profile=profile or ProfileKind.CUSTOM, mapping=data)
        self.stdout.write(f"Created source {source.slug} ({source.get_profile_display()}).\n"
                          f"Webhook secret (shown once): {source.webhook_secret}")

    def _list(self, assoc, *, as_json: bool = False, **_) -> None:
        rows = [{"slug": s.slug, "name": s.name, "profile": s.profile, "active": s.is_active,
                 "last_fed_at": s.last_fed_at.isoformat() if s.last_fed_at else None,
                 "landed": s.rows_landed, "duplicates": s.rows_duplicate,
                 "unmatched": s.rows_unmatched, "rejected": s.rows_rejected}
                for s in Source.objects.all()]
        if as_json:
            self.stdout.write(json.dumps(rows))
            return
        if not rows:
            self.stdout.write("No sources yet.")
        for r in rows:
            fed = r["last_fed_at"] or "never"
            self.stdout.write(f"{r['slug']:<24} {r['profile']:<18} last fed {fed:<32} "
                              f"landed {r['landed']}, unmatched {r['unmatched']}, rejected {r['rejected']}")

    def _show(self, assoc, *, source: str, secret: bool = False, **_) -> None:
        src = Source.objects.filter(Q(slug=source) | Q(name=source)).first()
        if src is None:
            raise CommandError(f"No source {source!r}")
        self.stdout.write(f"# {src.name} ({src.slug}), profile {src.profile}\n"
                          f"# landed {src.rows_landed}, unmatched {src.rows_unmatched}, "
                          f"rejected {src.rows_rejected}, last fed {src.last_fed_at or 'never'}")
        if secret:
            self.stdout.write(f"# webhook secret: {src.webhook_secret}")
        self.stdout.write(mapping_to_toml(src.mapping))
