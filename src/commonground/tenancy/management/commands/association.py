"""``commonground association create SLUG --name NAME [--country US] [--currency USD]``.

Idempotent: creating an existing association reports it and changes nothing.
"""

from __future__ import annotations

import re

from django.core.management.base import BaseCommand, CommandError
from django_countries import countries

from commonground.tenancy.models import Association
from commonground.tenancy.services import association_create


class Command(BaseCommand):
    help = "Create an association (a tenant) with the default staff roles."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create an association (no-op if it exists)")
        create.add_argument("slug", help="Short name used in URLs, e.g. acme")
        create.add_argument("--name", required=True)
        create.add_argument("--country", default="US", help="ISO country code (phone defaults)")
        create.add_argument("--currency", default="USD", help="ISO 4217 currency code")
        create.add_argument("--time-zone", default="UTC")
        sub.add_parser("list", help="All associations")

    def handle(self, *args, action: str, **options) -> None:
        if action == "list":
            for a in Association.objects.order_by("slug"):
                self.stdout.write(f"{a.slug}\t{a.name}\t{a.country}\t{a.currency}")
            return
        slug, name = options["slug"], options["name"].strip()
        country, currency = options["country"].upper(), options["currency"].upper()
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", slug):
            raise CommandError("The slug must be lower-case letters, digits and dashes")
        if not name:
            raise CommandError("--name must not be blank")
        if country not in dict(countries):
            raise CommandError(f"Unknown country code {country!r}")
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise CommandError(f"Not a currency code: {currency!r}")
        existed = Association.objects.filter(slug=slug).exists()
        association = association_create(slug=slug, name=name, country=country,
                                         currency=currency, time_zone=options["time_zone"])
        verb = "exists" if existed else "created"
        self.stdout.write(f"Association {association.slug} ({association.name}) {verb}")
