"""``bench import`` and ``bench ingest`` at toy size: the ceiling line comes last and the
scratch tables are gone afterwards, on whichever backend the suite runs."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from commonground.bench import ceiling


def bench(*args: str) -> list[str]:
    out = StringIO()
    call_command("bench", *args, stdout=out, stderr=StringIO())
    return out.getvalue().splitlines()


def scratch_tables() -> list[str]:
    return [t for t in connection.introspection.table_names() if t.startswith(ceiling.PREFIX)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("args", "name"), [
    (("import", "--members", "60"), "import"),
    (("ingest", "--activities", "400", "--people", "40"), "ingest"),
])
def test_bench_ends_with_its_ratio_to_the_bare_load_ceiling(args, name, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    lines = bench(*args)
    assert re.fullmatch(rf"{name}_vs_ceiling=\d+\.\d\d", lines[-1]), lines[-3:]
    assert re.fullmatch(rf"{name}_ceiling_rows_per_s=\d+", lines[-2])
    assert any(line.startswith(f"{name}_rows_per_s=") for line in lines)
    described = next(line for line in lines if line.startswith("ceiling: bare load"))
    table = "people_person" if name == "import" else "activity_activity"
    assert f"{table} " in described
    assert scratch_tables() == []
