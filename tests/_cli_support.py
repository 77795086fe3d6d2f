"""Run a ``commonground`` command in-process and see what its user sees: stdout, stderr and
the exit status (a ``CommandError`` is printed and exits 1, as ``run_from_argv`` does)."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any, NamedTuple

from django.core.management import call_command
from django.core.management.base import CommandError


class Ran(NamedTuple):
    code: int
    out: str
    err: str

    def json(self) -> Any:
        lines = self.out.strip().splitlines()
        assert len(lines) == 1, self.out
        return json.loads(lines[0])


def commonground(*args: str) -> Ran:
    out, err = StringIO(), StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except CommandError as exc:
        err.write(f"CommandError: {exc}\n")
        return Ran(exc.returncode, out.getvalue(), err.getvalue())
    return Ran(0, out.getvalue(), err.getvalue())
