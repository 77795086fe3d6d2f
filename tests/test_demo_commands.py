"""``commonground demo --no-serve``, the worker's daily timer and the page benchmark's helpers."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_scopes import scope

from commonground.bench.pages import next_cursor, percentile
from commonground.core.management.commands.serve import gunicorn_argv
from commonground.demo.management.commands.demo import child_env
from commonground.membership.models import Membership
from commonground.people.models import Person
from commonground.tenancy.models import ApiToken, Association


@pytest.mark.django_db
def test_demo_no_serve_seeds_once_and_prints_the_logins(settings, tmp_path, capsys):
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("demo", "--no-serve", "--members", "30", "--seed", "4")
    out = capsys.readouterr().out
    assert "director@demo.example.org" in out and "commonground-demo" in out
    assert "Member portal:" in out and "Bearer cg_" in out
    association = Association.objects.get(slug="demo")
    with scope(association=association):
        people = Person.objects.count()  # members, and prospects from the activity seed
        assert Person.objects.filter(memberships__isnull=False).distinct().count() == 30
        assert Membership.objects.exists()
        assert ApiToken.objects.count() == 1
    # A second run reuses the data (no reseed) and issues a fresh token.
    call_command("demo", "--no-serve", "--members", "30")
    assert "Reusing the demo association" in capsys.readouterr().out
    with scope(association=association):
        assert Person.objects.count() == people
        assert ApiToken.objects.count() == 2


def test_demo_serves_plain_http_and_serve_uses_gunicorn():
    assert child_env()["COMMONGROUND_HTTPS"] == "0"
    argv = gunicorn_argv(host="127.0.0.1", port=8123, workers=3)
    assert argv[1:3] == ["-m", "gunicorn"] and "127.0.0.1:8123" in argv
    assert argv[-1] == "commonground.wsgi:application"


def test_percentile_interpolates_between_ranks():
    assert percentile([5.0], 95) == 5.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    values = list(range(1, 101))
    assert percentile(values, 0) == 1 and percentile(values, 100) == 100
    assert percentile(values, 95) == pytest.approx(95.05)
    assert percentile(list(reversed(values)), 95) == pytest.approx(95.05)
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1], 101)


def test_next_cursor_reads_the_lists_next_link():
    html = ('<a href="?q=smi&amp;cursor=PREV123" rel="prev">Previous</a> '
            '<a href="?q=smi&amp;plan=2&amp;cursor=eyJrIjpb" rel="next">Next</a>')
    assert next_cursor(html) == "eyJrIjpb"
    assert next_cursor('<a href="?cursor=abc_-1">more</a>') == "abc_-1"
    assert next_cursor('<a rel="prev" href="?cursor=P1">Previous</a><a rel="next" '
                       'href="?q=a&amp;cursor=N2" hx-get="?q=a&amp;cursor=N2">Next →</a>') == "N2"
    assert next_cursor("<p>no more pages</p>") is None
