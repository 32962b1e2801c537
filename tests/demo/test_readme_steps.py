"""The README's own steps, in order, leave the demo's figures as they were (issue 11, item 7).

A tester ran the README's `councilops collect` against the demo, whose sites do not answer: the
failed day at dc1 was recorded as unmonitored over intervals already measured as up, and
Rochdale's GIS (whose contract counts unmonitored time as down) went from 99.976 % (met) to
95.214 % (missed) with a £95.63 credit. A backfill during a Prometheus outage did the same to
October (Blackpool GIS 100 % to 95.454 %, credit £112.50).
"""

from __future__ import annotations

import json
import shutil
from types import SimpleNamespace

from tests import in_process


def run(*args: str, env: dict):
    """A README command, in this process (tests/in_process.py): the same main as the entry point."""
    code, out, err = in_process.run(list(args), env)
    return SimpleNamespace(returncode=code, stdout=out, stderr=err)


def figures(env: dict) -> dict:
    """What the README's questions answer, as JSON: the service levels of the two months the
    tester saw change, and an answer from utilisation."""
    answers = {}
    for name, args in {
        "sla-2026-10": ["sla", "--month", "2026-10", "--format", "json"],
        "sla-2026-11": ["sla", "--month", "2026-11", "--format", "json"],
        "underused": ["capacity", "underused", "--format", "json"],
    }.items():
        result = run(*args, env=env)
        assert result.returncode == 0, (name, result.stderr)
        answers[name] = json.loads(result.stdout)
    return answers


def gis(month: dict, council: str) -> dict:
    (row,) = [r for r in month["services"] if r["council"] == council and r["service"] == "gis"]
    return row


def test_the_readme_commands_in_order_leave_the_demos_figures_as_they_were(demo_build, tmp_path):
    paths, _ = demo_build
    folder = tmp_path / "demo"
    shutil.copytree(paths.folder, folder)
    env = {
        "COUNCILOPS_CONFIG": str(folder / "estate.toml"),
        "COUNCILOPS_DB": str(folder / "warehouse.duckdb"),
    }
    before = figures(env)
    # the figures the tester saw move, as they stand before anything is collected
    assert gis(before["sla-2026-11"], "rochdale")["met"] is True
    assert gis(before["sla-2026-10"], "blackpool")["met"] is True

    for step in (
        ["status"],
        ["check"],
        ["sla", "--month", "2026-10", "--council", "wyre"],
        ["capacity", "underused"],
        ["savings"],
    ):
        assert run(*step, env=env).returncode == 0, step
    collect = run("collect", env=env)
    # the demo's sites do not exist: each site and kind says so, and the run is recorded as failed
    assert collect.returncode == 2
    assert "site dc1 availability: site dc1: http://prometheus.dc1.blackpool.example:9090" in collect.stderr
    assert (
        "site dc2 availability: site dc2: auth.token_env names 'COUNCILOPS_DC2_TOKEN', which is not set"
        in collect.stderr
    )
    backfill = run("collect", "--site", "dc1", "--since", "2026-10-01", "--until", "2026-10-08", env=env)
    assert backfill.returncode == 2

    after = figures(env)
    for name in before:
        assert after[name] == before[name], name
    status = json.loads(run("status", "--format", "json", env=env).stdout)
    failed = [
        s for s in status["collection"]["sources"] if s["site"] == "dc1" and s["source"] == "availability"
    ]
    assert failed and failed[0]["last_status"] == "unreachable"  # the failure itself is on record
