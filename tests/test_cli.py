"""The ``commonground`` console script on a fresh data directory, as a new engineer meets it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

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
    assert groups == ["Run:", "Data:", "Engagement:", "Insight:", "Planning:",
                      "Collaboration:", "Administration:", "Benchmarks:"]
    assert any(line.startswith("  approvals ") for line in lines)  # approvals (H5)
    # consortia: the consortia and initiatives commands (issue 13) are in that group.
    assert any(line.startswith("  consortia ") for line in lines)
    assert any(line.startswith("  initiatives ") for line in lines)
    # services: the allocations command (issue 13) is in the Collaboration group.
    assert any(line.startswith("  allocations ") for line in lines)
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

    # A file naming a plan the association lacks: one line, non-zero, nothing written.
    platinum = tmp_path / "platinum.csv"
    platinum.write_text("first_name,email,plan\nAda,ada@example.org,Platinum\n")
    refused = run(data, "import", "people", str(platinum), "--association", "x", "--json")
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.strip().splitlines() == [
        "CommandError: Unknown plan 'Platinum'. Create it first: commonground plan create "
        "--association x --name Platinum --term 12 --price 0, or import with --create-plans "
        "--plan-term 12"]
    created = run(data, "plan", "create", "--association", "x", "--name", "Platinum",
                  "--term", "12", "--price", "0")
    assert created.returncode == 0, created.stderr
    landed = run(data, "import", "people", str(platinum), "--association", "x", "--json")
    assert landed.returncode == 0, landed.stderr
    assert json.loads(landed.stdout)["memberships_created"] == 1

    # `commonground export people … | head -1`: the reader goes away, the export ends quietly.
    # Far more than a pipe holds (64 KiB), so the export is still writing when head leaves.
    many = tmp_path / "many.csv"
    many.write_text("first_name,last_name,email,city\n" + "".join(
        f"Person{i},Surname{i},p{i}@example.org,Somewhere far away\n" for i in range(2000)))
    imported = run(data, "import", "people", str(many), "--association", "x", "--no-progress")
    assert imported.returncode == 0, imported.stderr
    first = piped_to_head(data, "export", "people", "--association", "x")
    assert first.returncode == cli.BROKEN_PIPE_STATUS
    assert first.line.startswith("\ufeffMember ID,First Name")
    assert first.stderr == ""
    gone = closed_pipe(data, "export", "people", "--association", "x")
    assert (gone.returncode, gone.stderr) == (cli.BROKEN_PIPE_STATUS, "")


class Piped(NamedTuple):
    returncode: int
    line: str
    stderr: str


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["COMMONGROUND_DATA_DIR"] = str(data_dir)
    env.pop("COMMONGROUND_DATABASE_URL", None)
    return env


def piped_to_head(data_dir: Path, *args: str) -> Piped:
    """``commonground ARGS | head -1`` through a real pipe: read one line, then close the
    read end while the command still writes."""
    proc = subprocess.Popen([*_commonground(), *args], env=_env(data_dir), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    line = proc.stdout.readline().decode()
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    return Piped(proc.returncode, line, err.decode())


def closed_pipe(data_dir: Path, *args: str) -> Piped:
    """``commonground ARGS | true``: the reader is gone before the command writes at all."""
    proc = subprocess.Popen([*_commonground(), *args], env=_env(data_dir), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.close()  # Django takes far longer to start than this
    _, err = proc.communicate(timeout=120)
    return Piped(proc.returncode, "", err.decode())


def test_output_to_a_closed_pipe_ends_quietly_for_any_command(tmp_path):
    result = closed_pipe(tmp_path, "help", "--all")
    assert result.returncode == cli.BROKEN_PIPE_STATUS
    assert "Traceback" not in result.stderr and "BrokenPipeError" not in result.stderr
    assert result.stderr == ""
