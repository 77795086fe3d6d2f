"""``commonground import <kind> FILE …``: one command for every kind of file batch.

Each kind (``people`` from membership, ``activities`` from activity) contributes its own
arguments and handler through ``core.batches.registry`` when its app is ready, so this
command lists whatever kinds are installed without importing their apps.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from commonground.core.batches import registry


class Command(BaseCommand):
    help = "Import data from files."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="kind", required=True)
        for name, command in registry.commands().items():
            command.add_arguments(sub.add_parser(name, help=command.help))

    def handle(self, *args, kind: str, **options) -> None:
        registry.commands()[kind].handle(self, **options)
