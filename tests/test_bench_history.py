"""``bench import-history`` at a small size: it imports, re-imports adding nothing, and
ends with its ceiling and ratio lines (so the bench code keeps working)."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from commonground.bench import ceiling


@pytest.mark.django_db(transaction=True)
def test_bench_import_history(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    out = StringIO()
    call_command("bench", "import-history", "--terms", "20000", stdout=out, stderr=StringIO())
    lines = out.getvalue().splitlines()
    assert re.fullmatch(r"history_vs_ceiling=\d+\.\d\d", lines[-1]), lines[-3:]
    assert re.fullmatch(r"history_ceiling_rows_per_s=\d+", lines[-2])
    assert any(re.fullmatch(r"history_rows_per_s=\d+", line) for line in lines)
    imported = next(line for line in lines if line.startswith("import: "))
    assert imported.startswith("import: 20000 rows") and "rejected 0" in imported
    assert re.search(r"re-import \(adds nothing\): 20000 rows .* created 0, unchanged 20000",
                     out.getvalue())
    assert "membership_invoice " in next(line for line in lines if line.startswith("ceiling:"))
    assert [t for t in connection.introspection.table_names()
            if t.startswith(ceiling.PREFIX)] == []
