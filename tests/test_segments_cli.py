"""`commonground segments` as an operator uses it: create, list, count (saved or ad hoc,
with the mistakes' paths), freeze and export."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_scopes import scope

from _segments_data import build_town


def run(*args) -> str:
    out = StringIO()
    call_command("segments", *args, "--association", "acme", stdout=out, stderr=StringIO())
    return out.getvalue()


def test_create_list_count_freeze_export(association, tmp_path):
    with scope(association=association):
        build_town(association)
    definition = json.dumps({"op": "and", "rules": [
        {"field": "membership.status", "op": "in", "value": ["lapsed", "grace"]}]})
    saved = json.loads(run("create", "--name", "Gone quiet", "--definition", definition,
                           "--json"))
    assert saved["kind"] == "live" and saved["slug"] == "gone-quiet"
    assert run("count", "gone-quiet").strip().splitlines()[-1] == "count=2"
    assert "Gone quiet" in run("list")
    frozen = json.loads(run("freeze", "gone-quiet", "--name", "Quiet in December", "--json"))
    assert frozen["kind"] == "static" and frozen["last_count"] == 2
    target = tmp_path / "quiet.csv"
    assert "2 people written" in run("export", str(frozen["id"]), "--output", str(target))
    assert "dan@town.example" in target.read_text(encoding="utf-8-sig")
    file = tmp_path / "def.json"
    file.write_text(json.dumps({"rules": [{"field": "city", "op": "is", "value": "Leeds"}]}))
    assert run("count", "--definition", f"@{file}").strip() == "count=3"
    with pytest.raises(CommandError, match=r"definition.rules.0.value: .*not a date"):
        run("count", "--definition", json.dumps({"rules": [
            {"field": "created", "op": "after", "value": "soon"}]}))
    with pytest.raises(CommandError, match="No segment"):
        run("count", "nope")


def test_demo_step_saves_counted_segments_once(association):
    from commonground.demo import segments_derive
    from commonground.segments.models import Segment

    with scope(association=association):
        town = build_town(association)
        assert segments_derive.derive(association, today=town.today) == {"segments": 6}
        assert segments_derive.derive(association, today=town.today) == {"segments": 0}
        saved = {s.name: s for s in Segment.objects.all()}
    assert all(s.last_count is not None for s in saved.values())
    # Dan lapsed this year and checked in at an event three days ago.
    assert saved["Lapsed in the last year who still attend events"].last_count == 1
    assert saved["Renewal calls — expiring, low engagement"].is_static
