"""The ``commonground`` console script on a fresh data directory, as a new engineer meets it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from commonground import cli


def _commonground() -> list[str]:
    # The installed console script (beside this interpreter), else the module it runs.
    script = Path(sys.executable).with_name("commonground")
    return [str(script)] if script.exists() else [sys.executable, "-m", "commonground.cli"]


def run(data_dir: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["COMMONGROUND_DATA_DIR"] = str(data_dir)
    env.pop("COMMONGROUND_DATABASE_URL", None)  # a fresh data dir means a fresh SQLite database
    return subprocess.run([*_commonground(), *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.parametrize("args", [(), ("--help",), ("help",)])
def test_help_lists_the_product_commands_first_grouped(tmp_path, args):
    result = run(tmp_path, *args)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Usage: commonground <command>")
    lines = out.splitlines()
    groups = [line for line in lines if line.endswith(":") and not line.startswith(" ")]
    assert groups == ["Run:", "Data:", "Administration:", "Benchmarks:"]
    assert "sqlflush" not in out and "account_unsetmultipleprimaryemails" not in out
    seed = next(line for line in lines if line.startswith("  seed "))
    assert "demo association" in seed
    assert "help --all" in lines[-1]


def test_help_all_and_help_command_reach_djangos_commands(tmp_path):
    everything = run(tmp_path, "help", "--all")
    assert everything.returncode == 0 and "sqlflush" in everything.stdout
    one = run(tmp_path, "help", "seed")
    assert one.returncode == 0 and "--members" in one.stdout


def test_grouping_puts_unknown_product_commands_under_other(monkeypatch):
    monkeypatch.setattr(cli, "product_commands",
                        lambda: {"seed": "commonground.demo", "zap": "commonground.demo"})
    monkeypatch.setattr(cli, "_summary", lambda app, name: f"{name} summary")
    text = cli.product_help()
    assert text.index("Data:") < text.index("Other:") < text.index("zap summary")


def test_fresh_data_dir_one_line_for_missing_schema_and_seed_prepares_it(tmp_path):
    roster = tmp_path / "people.csv"
    roster.write_text("first_name,last_name,email\nAda,Lovelace,ada@example.org\n")
    data = tmp_path / "data"

    refused = run(data, "import", "people", str(roster), "--association", "x")
    assert refused.returncode != 0
    assert "Traceback" not in refused.stderr + refused.stdout
    assert refused.stderr.strip().splitlines() == [
        "commonground: the database has no schema yet; run `commonground migrate` first"]

    seeded = run(data, "seed", "--association", "x", "--members", "30",
                 "--activities-per-member", "2")
    assert seeded.returncode == 0, seeded.stderr
    assert "Seeded x: 30 members" in seeded.stdout
    assert "Traceback" not in seeded.stderr

    listed = run(data, "staff", "list", "--association", "x")
    assert listed.returncode == 0, listed.stderr
    assert "director@x.example.org" in listed.stdout
