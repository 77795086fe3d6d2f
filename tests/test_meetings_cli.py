"""`commonground meetings …` and `commonground actions …`: schedule (refused with one
side), draft, minutes, circulate, the manual; action items listed, added and closed."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django_scopes import scope

from _cli_support import commonground
from _meetings_support import build_world


@pytest.fixture
def w(association):
    with scope(association=association):
        return build_world(association)


def test_meetings_from_the_command_line(w, tmp_path):
    day = (w.today - timedelta(days=1)).isoformat()
    one_side = commonground("meetings", "schedule", "--association", "acme", "--title", "R",
                            "--starts", f"{day} 10:00", "--business", "marketing@acme.example.org")
    assert one_side.code == 1
    assert "--mission/--business: a meeting needs both sides: add someone from the mission " \
           "side" in one_side.err
    made = commonground("meetings", "schedule", "--association", "acme", "--title", "R",
                        "--starts", f"{day} 10:00", "--business", "marketing@acme.example.org",
                        "--mission", "community@acme.example.org", "--json")
    assert made.code == 0, made.err
    mid = str(json.loads(made.out)["id"])
    drafted = commonground("meetings", "draft", mid, "--association", "acme")
    assert drafted.out.strip().splitlines()[-1] == "added=1"
    assert "Off track: Volunteers engaged" in drafted.out
    added = commonground("actions", "add", "--association", "acme", "--title", "Call them",
                         "--owner", "community@acme.example.org", "--due", day,
                         "--meeting", mid, "--json")
    assert added.code == 0, added.err
    listed = commonground("actions", "list", "--association", "acme", "--show", "overdue")
    assert "OVERDUE" in listed.out and "Call them" in listed.out
    notes = tmp_path / "minutes.txt"
    notes.write_text("We agreed on a pilot.")
    assert commonground("meetings", "minutes", mid, "--association", "acme", "--text",
                        f"@{notes}").code == 0
    assert commonground("meetings", "circulate", mid, "--association", "acme").out.strip() \
        == "sent=3"
    assert "sent=0" in commonground("meetings", "circulate", mid, "--association", "acme").out
    shown = json.loads(commonground("meetings", "show", mid, "--association", "acme",
                                    "--json").out)
    assert shown["status"] == "circulated" and shown["action_items"][0]["title"] == "Call them"
    item = str(json.loads(added.out)["id"])
    assert commonground("actions", "done", item, "--association", "acme").code == 0
    assert "No action items." in commonground("actions", "list", "--association", "acme").out

    page = commonground("meetings", "manual", "new", "--association", "acme", "--title",
                        "Pricing").out
    assert "(pricing)" in page
    assert commonground("meetings", "manual", "revise", "pricing", "--association", "acme",
                        "--body", "A\nB").code == 0
    refused = commonground("meetings", "manual", "revise", "pricing", "--association", "acme",
                           "--body", "A\nC", "--summary", "C")
    assert refused.code == 1 and "name the meeting that decided this change" in refused.err
    assert commonground("meetings", "manual", "revise", "pricing", "--association", "acme",
                        "--body", "A\nC", "--summary", "C", "--meeting", mid).code == 0
    diff = commonground("meetings", "manual", "diff", "pricing", "--association", "acme").out
    assert "-B" in diff and "+C" in diff
    assert "R" in commonground("meetings", "list", "--association", "acme").out


def test_unknown_names_are_clear(w):
    ran = commonground("actions", "add", "--association", "acme", "--title", "x",
                       "--owner", "nobody@example.org", "--due", "2030-01-01")
    assert ran.code == 1 and "--owner: no user nobody@example.org" in ran.err
    assert "No meeting '999'" in commonground("meetings", "draft", "999", "--association",
                                              "acme").err
