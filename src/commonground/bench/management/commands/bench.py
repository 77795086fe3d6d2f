"""``commonground bench NAME …``: benchmarks. Each prints its figure last as ``name=value``.

Benchmarks live beside the code they measure and register here by name, so adding one
does not mean editing a shared command.
"""

from __future__ import annotations

import importlib

from django.core.management.base import BaseCommand, CommandParser

from commonground.core.schema import migrate_if_needed

# name -> "module:function"; the function takes (parser) to add arguments via
# "module:add_arguments" and is called as run(**options) returning a dict of figures.
BENCHMARKS = {
    "import": "commonground.bench.roster",
    "duplicates": "commonground.bench.duplicates",
    "pages": "commonground.bench.pages",
    "ingest": "commonground.bench.ingest",
    "member360": "commonground.bench.member360",
    "import-history": "commonground.bench.history",
    "score": "commonground.bench.score",
    "motivations": "commonground.bench.motivations",
    "match": "commonground.bench.match",
    "lapse": "commonground.bench.lapse",
    "prospects": "commonground.bench.prospects",
    "recommend": "commonground.bench.recommend",
    "segments": "commonground.bench.segments",
    "plan-page": "commonground.bench.plan_page",
    "kpis": "commonground.bench.kpis",
    "balance-page": "commonground.bench.balance_page",
    # Data sharing (issue 13, helper sharing).
    "shared-read": "commonground.bench.shared_read",
    "allocation": "commonground.bench.allocation",
}


class Command(BaseCommand):
    help = "Run a benchmark; the last line printed is name=value."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="benchmark", required=True)
        for name, module_path in BENCHMARKS.items():
            module = importlib.import_module(module_path)
            p = sub.add_parser(name, help=(module.__doc__ or "").strip().splitlines()[0])
            module.add_arguments(p)

    def handle(self, *args, benchmark: str, **options) -> None:
        # A fresh data directory gets its schema here (on stderr: the last stdout line stays the figure).
        migrate_if_needed(say=self.stderr.write)
        module = importlib.import_module(BENCHMARKS[benchmark])
        # call_command(..., stdout=…) passes the streams as options too; self.stdout wraps them.
        for stream in ("stdout", "stderr"):
            options.pop(stream, None)
        module.run(stdout=self.stdout, **options)
