"""The ``commonground`` console script: Django's management commands under one name.

Two things happen before Django dispatches, and one after:

* ``commonground``, ``commonground --help`` and ``commonground help`` list the product's own
  commands (those of the ``commonground.*`` apps), grouped, one line each; Django's own
  commands stay runnable and ``commonground help --all`` lists them.
* A command that needs the database stops with one line on stderr telling what to run when
  the schema is missing or behind, instead of a traceback half-way through. Commands that
  work without a schema are exempt, and ``seed``/``demo``/``bench`` migrate themselves.
* Output to a closed pipe (``commonground export people … | head``) ends quietly with
  status 141, for every command, instead of a ``BrokenPipeError`` traceback.
"""

from __future__ import annotations

import os
import sys

import django
from django.core.management import (
    ManagementUtility,
    execute_from_command_line,
    get_commands,
    load_command_class,
)

from commonground.core.schema import schema_problem

# Product commands by group, in the order ``--help`` shows them. A product command missing
# here is listed under "Other", so a new command is never hidden.
GROUPS: dict[str, tuple[str, ...]] = {
    "Run": ("demo", "serve", "worker"),
    "Data": ("import", "export", "seed", "people", "source", "lifecycle"),
    # What members want, get and give: traits, contributions, the score, opportunities,
    # recognition and badges (D4).
    "Engagement": ("traits", "contributions", "engagement", "opportunities", "recognition",
                   "badges"),
    # Insight (D5): lapse risk, prospects, next-best offering, segments, outreach.
    "Insight": ("lapse", "prospects", "offerings", "segments", "outreach"),
    # Planning and negotiation (D6–D7): the plan and its KPIs, meetings, joint decisions.
    "Planning": ("planning", "kpis", "meetings", "actions", "decisions", "forms", "balance"),
    # Collaboration and partnerships (D8–D9): consortia, shared services and their cost
    # allocation, joint initiatives, data-sharing agreements, partnerships, joint products.
    "Collaboration": ("consortia", "initiatives", "allocations", "agreements", "partnerships",
                      "approvals"),
    "Administration": ("association", "staff", "plan"),
    "Benchmarks": ("bench",),
}
OTHER = "Other"

# Commands that never touch the schema, or create it.
NO_SCHEMA = frozenset({
    "help", "version", "migrate", "makemigrations", "squashmigrations", "optimizemigration",
    "showmigrations", "sqlmigrate", "sqlflush", "sqlsequencereset", "check", "shell", "dbshell",
    "diffsettings", "collectstatic", "findstatic", "startapp", "startproject", "makemessages",
    "compilemessages", "test", "testserver", "runserver", "inspectdb", "sendtestemail",
})
# Commands that prepare the schema themselves (commonground.core.schema.migrate_if_needed).
PREPARES = frozenset({"seed", "demo", "bench"})
HELP_FLAGS = ("-h", "--help")
BROKEN_PIPE_STATUS = 128 + 13  # 128 + SIGPIPE: what the shell reports for `yes | head -1`
PRODUCT_PREFIX = "commonground."


def product_commands() -> dict[str, str]:
    """name → app of every command that a ``commonground.*`` app defines."""
    return {name: app for name, app in get_commands().items() if app.startswith(PRODUCT_PREFIX)}


def _summary(app: str, name: str) -> str:
    text = str(getattr(load_command_class(app, name), "help", "") or "").strip()
    return text.splitlines()[0] if text else ""


def product_help(prog: str = "commonground") -> str:
    """The short help: product commands grouped, one line each, then how to see the rest."""
    commands = product_commands()
    grouped: dict[str, list[str]] = {group: [] for group in [*GROUPS, OTHER]}
    placed = {name for names in GROUPS.values() for name in names}
    for group, names in GROUPS.items():
        grouped[group] = [n for n in names if n in commands]
    grouped[OTHER] = sorted(n for n in commands if n not in placed)
    width = max((len(n) for n in commands), default=0) + 2
    lines = [f"Usage: {prog} <command> [options]", ""]
    for group, names in grouped.items():
        if not names:
            continue
        lines.append(f"{group}:")
        lines += [f"  {name:<{width}}{_summary(commands[name], name)}" for name in names]
        lines.append("")
    lines.append(f"`{prog} help <command>` shows a command's options.")
    lines.append(f"`{prog} help --all` lists Django's own commands as well (they stay runnable).")
    return "\n".join(lines)


def _fail(message: str) -> None:
    sys.stderr.write(f"commonground: {message}\n")
    raise SystemExit(1)


def _check_schema(subcommand: str) -> None:
    """Stop with one line when ``subcommand`` needs a schema the database does not have."""
    if subcommand in NO_SCHEMA or subcommand in PREPARES or subcommand not in get_commands():
        return  # unknown commands: Django's own message ("Unknown command") is the clear one
    if any(arg in HELP_FLAGS for arg in sys.argv[2:]):
        return
    problem = schema_problem()
    if problem:
        _fail(problem)


def main() -> None:
    """Run the command; output to a closed pipe (``commonground export … | head``) ends
    quietly with status 141, as a unix tool killed by SIGPIPE, not with a traceback."""
    try:
        _main()
        sys.stdout.flush()  # what is still buffered goes now, inside the try
    except BrokenPipeError:
        # The reader is gone. As the Python docs recommend (signal, "Note on SIGPIPE"):
        # point stdout at devnull so the interpreter's flush at exit cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise SystemExit(BROKEN_PIPE_STATUS) from None


def _main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonground.settings")
    argv = [sys.argv[0], *sys.argv[1:]]
    prog = os.path.basename(argv[0])
    args = argv[1:]
    if not args or args[0] in HELP_FLAGS or args == ["help"]:
        django.setup()
        sys.stdout.write(product_help(prog) + "\n")
        return
    if args[:2] == ["help", "--all"]:
        django.setup()
        sys.stdout.write(ManagementUtility([prog, "help"]).main_help_text() + "\n")
        return
    if not args[0].startswith("-"):
        django.setup()
        _check_schema(args[0])
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
