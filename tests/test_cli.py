"""The command line: exit codes, one-line errors, and docs/cli.md in step with --help."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from councilops.cli import cli
from tests import in_process
from tests.conftest import SMALL_ESTATE

ROOT = Path(__file__).resolve().parents[1]
CLI_DOC = ROOT / "docs" / "cli.md"


def run_here(*args: str, env: dict | None = None) -> SimpleNamespace:
    """The command line in this process (tests/in_process.py): the same main, without a new
    interpreter's start-up for each of the many runs the demo tests make."""
    code, out, err = in_process.run(list(args), env or {})
    return SimpleNamespace(returncode=code, stdout=out, stderr=err)


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the installed entry point as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "councilops.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
        cwd=ROOT,
    )


def test_check_passes_a_sound_file():
    result = run("check", "--config", str(SMALL_ESTATE))
    assert result.returncode == 0
    assert (
        result.stdout.strip()
        == f"{SMALL_ESTATE}: ok (2 sites, 2 councils, 3 services, 2 servers, 3 contract versions)"
    )


def test_check_lists_every_problem_and_exits_1(tmp_path, small_estate_text):
    broken = tmp_path / "estate.toml"
    broken.write_text(
        small_estate_text.replace("99.7", "150").replace("Europe/London", "Mars/Base"), encoding="utf-8"
    )
    result = run("check", "--config", str(broken))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == f"{broken}: 2 problems"
    assert any("contracts[1].availability_target_percent" in line for line in lines)
    assert any("estate.time_zone: unknown time zone 'Mars/Base'" in line for line in lines)
    assert "Traceback" not in result.stderr


def test_the_config_comes_from_the_environment_when_not_given(tmp_path):
    result = run("check", env={"COUNCILOPS_CONFIG": str(SMALL_ESTATE)})
    assert result.returncode == 0 and str(SMALL_ESTATE) in result.stdout
    result = run("check", env={"COUNCILOPS_CONFIG": str(tmp_path / "nope.toml")})
    assert result.returncode == 1 and "nope.toml: file not found" in result.stderr


def test_a_toml_syntax_error_is_one_line_with_its_line_number(tmp_path):
    broken = tmp_path / "estate.toml"
    broken.write_text('[estate]\nname = "x\n', encoding="utf-8")
    result = run("check", "--config", str(broken))
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith(f"{broken}:2: TOML syntax error")


def test_status_without_a_warehouse_is_one_line_and_exit_2(tmp_path):
    result = run("--db", str(tmp_path / "none.duckdb"), "status")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "no warehouse here" in result.stderr


def test_a_bad_option_value_is_one_clear_message():
    result = run("demo", "--now", "yesterday-ish")
    assert result.returncode == 2
    assert "'yesterday-ish' is not an ISO-8601 date and time" in result.stderr
    assert "Traceback" not in result.stderr


def test_status_reports_counts_as_json(tmp_path):
    from warehouse import Warehouse

    db = tmp_path / "w.duckdb"
    Warehouse.open(db, create=True).close()
    result = CliRunner().invoke(cli, ["--db", str(db), "status", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert '"utilisation": 0' in result.output


def commands() -> list[list[str]]:
    """Every command, the groups' subcommands included (`capacity underused`, `load backups`, ...)."""
    found: list[list[str]] = [[]]
    for name in sorted(cli.commands):
        found.append([name])
        sub = getattr(cli.commands[name], "commands", None)
        found += [[name, child] for child in sorted(sub or {})]
    return found


def help_text(command: list[str]) -> str:
    result = CliRunner().invoke(cli, [*command, "--help"], prog_name="councilops", terminal_width=100)
    assert result.exit_code == 0, result.output
    return result.output


def cli_doc() -> str:
    parts = [
        "# The command line\n",
        "`councilops` is a thin layer over the library: each command calls one library function and prints",
        "what it returned. Settings come from the option, else the environment variable, else the default.",
        "Exit status: 0 done, 1 the input has problems (each named with file, line and key), 2 something",
        "needed is missing or busy (one line says what). This page is generated from `--help`;",
        "`tests/test_cli.py` fails when they differ (regenerate with",
        "`python -c 'from tests.test_cli import write_cli_doc; write_cli_doc()'`).\n",
    ]
    for command in commands():
        title = " ".join(["councilops", *command])
        parts += [f"## `{title}`\n", "```", help_text(command).rstrip(), "```\n"]
    return "\n".join(parts)


def write_cli_doc() -> None:
    CLI_DOC.write_text(cli_doc(), encoding="utf-8")


@pytest.mark.parametrize("command", commands(), ids=lambda c: " ".join(c) or "councilops")
def test_every_command_has_help_and_is_documented(command):
    text = help_text(command)
    assert "Usage: councilops" in text
    assert f"```\n{text.rstrip()}\n```" in CLI_DOC.read_text(encoding="utf-8")


def test_docs_cli_md_is_exactly_the_generated_page():
    assert CLI_DOC.read_text(encoding="utf-8") == cli_doc()


def test_sla_prints_a_demo_month_as_json_csv_and_a_table(demo_build):
    paths, truth = demo_build
    env = {"COUNCILOPS_CONFIG": str(paths.estate), "COUNCILOPS_DB": str(paths.warehouse)}
    result = run_here("sla", "--month", "2026-10", "--council", "wyre", "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {r["council"] for r in data["services"]} == {"wyre"}
    (council_tax,) = [r for r in data["services"] if r["service"] == "council-tax"]
    assert (
        council_tax["outage_count"] == 2
        and council_tax["met"] is False
        and council_tax["credit_gbp"] != "0.00"
    )
    result = run_here("sla", "--month", "2026-10", "--format", "csv", env=env)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("council,service,month,status,scheduled_seconds,up_seconds")
    assert len(lines) == 1 + len(
        json.loads(run_here("sla", "--month", "2026-10", "--format", "json", env=env).stdout)["services"]
    )
    table = run_here("sla", "--month", "2026-10", "--council", "wyre", env=env)
    assert "wyre: 16 of 17 services met target" in table.stdout
    for command, heading in (
        (("capacity", "underused"), "Not listed"),
        (("capacity", "consolidate"), "The plan, host by host"),
    ):
        shown = run_here(*command, "--as-of", "2026-11-22T10:00:00Z", "--detail", env=env)
        assert shown.returncode == 0 and heading in shown.stdout, shown.stderr
    detail = run_here(
        "sla",
        "--month",
        "2026-10",
        "--council",
        "wyre",
        "--as-of",
        "2026-11-22T10:00:00Z",
        "--detail",
        env=env,
    )
    assert detail.returncode == 0, detail.stderr
    assert "wyre / council-tax (Council Tax), 2026-10" in detail.stdout
    assert "Error budget (on counted time)" in detail.stdout and "Recovery point (RPO" in detail.stdout
    # 09:12Z in October is 10:12 on a Blackpool wall clock, as the demo planted it
    assert "outage council-tax: 2026-10-13 10:12 BST to 2026-10-13 11:03 BST" in table.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2026-13"], "'2026-13' is not a month; write it as YYYY-MM"),
        (["--month", "2026-10", "--council", "nowhere"], "no council 'nowhere'"),
        (["--month", "2026-10", "--as-of", "yesterday"], "'yesterday' is not an ISO-8601 date and time"),
    ],
)
def test_sla_rejects_bad_options_with_one_clear_message(demo_build, args, message):
    paths, _ = demo_build
    result = run(
        "sla", *args, env={"COUNCILOPS_CONFIG": str(paths.estate), "COUNCILOPS_DB": str(paths.warehouse)}
    )
    assert result.returncode == 2  # click's usage error
    assert message in result.stderr and "Traceback" not in result.stderr


def test_capacity_underused_prints_the_planted_servers(demo_build):
    paths, truth = demo_build
    env = {"COUNCILOPS_CONFIG": str(paths.estate), "COUNCILOPS_DB": str(paths.warehouse)}
    result = run_here("capacity", "underused", "--as-of", "2026-11-22T10:00:00Z", "--format", "csv", env=env)
    assert result.returncode == 0, result.stderr
    planted = {s["id"]: s for s in truth["scenarios"]}
    rows = [line.split(",") for line in result.stdout.splitlines()[1:]]
    assert {r[1] for r in rows if r[0] == "under-used"} == set(planted["under-used-servers"]["servers"])
    table = run_here("capacity", "underused", "--as-of", "2026-11-22T10:00:00Z", env=env)
    assert "Possibly unused: 5 servers" in table.stdout


def test_every_capacity_and_savings_analysis_runs_on_the_demo_and_finds_what_was_planted(demo_build):
    paths, truth = demo_build
    planted = {s["id"]: s for s in truth["scenarios"]}
    env = {"COUNCILOPS_CONFIG": str(paths.estate), "COUNCILOPS_DB": str(paths.warehouse)}
    as_of = ("--as-of", "2026-11-22T10:00:00Z", "--format", "json")

    def run_json(*args: str) -> dict:
        result = run_here(*args, *as_of, env=env)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    timeleft = run_json("capacity", "timeleft")
    filling = planted["storage-filling"]
    assert timeleft["storage_days_until_full"][0]["server"] == filling["server"]
    (dc1_cpu,) = [p for p in timeleft["pools"] if p["site"] == "dc1" and p["pool"] == "cpu"]
    assert dc1_cpu["days_remaining"] is not None and dc1_cpu["days_remaining"] <= 365
    site_loss = run_json("capacity", "site-loss")
    assert {(c["if_lost"], c["pool"]) for c in site_loss["checks"]} == {
        (s, p) for s in ("dc1", "dc2") for p in ("cpu", "memory")
    }
    consolidation = run_json("capacity", "consolidate")
    assert consolidation["two_site_services_kept_at_two_sites"] is True
    profile = run_json("capacity", "profile", "--service", "council-tax")
    assert profile["cpu"]["service_hours"]["hours"] < profile["cpu"]["all_hours"]["hours"]
    savings = run_json("savings")
    (servers,) = [line for line in savings["years"][-1]["ledger"] if line["category"] == "servers"]
    stopped = {e["subject"] for e in servers["evidence"] if "(warehouse)" in e["detail"]}
    assert stopped == {s["id"] for s in planted["decommissioned-baseline-servers"]["servers"]}
    assert len(run_here("savings", "--format", "csv", env=env).stdout.splitlines()) == 1 + 5 * 7
    wrong = run_here("capacity", "profile", "--server", "nowhere", env=env)
    assert wrong.returncode == 2 and "no server 'nowhere'" in wrong.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["sla", "--month", "9999-12"], "'9999-12' is outside the years 1970-2100"),
        (["sla", "--month", "0000-01"], "'0000-01' is outside the years 1970-2100"),
        (["capacity", "underused", "--as-of", "0001-01-01"], "'0001-01-01' is outside the years 1970-2100"),
        (["savings", "--as-of", "0001-01-01"], "'0001-01-01' is outside the years 1970-2100"),
        (["collect", "--since", "0001-01-01"], "'0001-01-01' is outside the years 1970-2100"),
        (
            ["collect", "--since", "2026-11-30", "--until", "2026-11-01"],
            "the window ends (2026-11-01 00:00 UTC) before it starts",
        ),
        (
            ["demo", "--now", "1900-01-01", "--out", "/tmp/never-built"],
            "'1900-01-01' is outside the years 1970-2100",
        ),
    ],
)
def test_dates_outside_what_councilops_works_in_get_one_clear_line(args, words):
    result = run(
        *args, env={"COUNCILOPS_CONFIG": str(SMALL_ESTATE), "COUNCILOPS_DB": "/tmp/never-opened.duckdb"}
    )
    assert result.returncode == 2 and words in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
