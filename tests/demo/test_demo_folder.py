"""`councilops demo` replaces only its own files, and only once the new build is whole.

Tried as a new user would: `demo --out .` overwrote an existing estate.toml and deleted
warehouse.duckdb; an interrupted demo left a partial warehouse that status, sla and capacity
reported as normal; `--seed -1`, `--now 1900-01-01` and `--now 9999-12-01` crashed and left
partial folders.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from collectors.demo import DemoPaths, foreign_files
from collectors.demo.build import MARKER, STAGING_PREFIX
from tests.demo.accounts_check import assert_demo_accounts
from tests.in_process import run as run_here


def run(*args: str, env_extra: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "councilops.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copy_of_demo(demo_build, folder: Path) -> DemoPaths:
    paths, _ = demo_build
    shutil.copytree(paths.folder, folder)
    return DemoPaths(folder)


def test_a_folder_holding_other_files_is_refused_and_left_exactly_as_it_was(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "README.md").write_text("my notes\n", encoding="utf-8")
    (project / "estate.toml").write_text("# the provider's own estate\n", encoding="utf-8")
    (project / "warehouse.duckdb").write_bytes(b"not to be deleted")
    before = {p.name: p.read_bytes() for p in project.iterdir()}
    result = run("demo", "--out", str(project))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"{project}: holds files the demo did not write (README.md, estate.toml): choose another --out, "
        "or add --force to replace estate.toml, warehouse.duckdb, ground-truth.json and accounts.csv there (nothing else is touched)"
    )
    assert {p.name: p.read_bytes() for p in project.iterdir()} == before  # nothing added, nothing removed


def test_which_files_are_the_demos(demo_build, tmp_path):
    folder = tmp_path / "demo"
    paths = copy_of_demo(demo_build, folder)
    assert foreign_files(folder) == []  # its own folder: a rebuild needs no --force
    (folder / "notes.txt").write_text("keep me\n", encoding="utf-8")
    assert foreign_files(folder) == ["notes.txt"]
    # an older build without the marker is still the demo's: its estate.toml says it is
    (folder / "notes.txt").unlink()
    (folder / MARKER).unlink()
    assert foreign_files(folder) == []
    paths.estate.write_text("# someone's own estate\n", encoding="utf-8")
    assert foreign_files(folder) == ["estate.toml"]
    (folder / (STAGING_PREFIX + "x")).mkdir()  # what a killed build leaves is not the user's
    assert foreign_files(folder) == ["estate.toml"]


def test_a_demo_killed_mid_build_leaves_the_previous_demo_whole(demo_build, tmp_path):
    folder = tmp_path / "demo"
    paths = copy_of_demo(demo_build, folder)
    before = {p.name: digest(p) for p in folder.iterdir() if p.is_file()}
    marker = tmp_path / "marker"
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "councilops.cli",
            "demo",
            "--out",
            str(folder),
            "--now",
            "2026-10-01T00:00:00Z",
        ],
        env={**os.environ, "COUNCILOPS_TEST_WRITE_MARKER": str(marker)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        # the tenth write transaction: well into painting availability, the warehouse half built
        while time.monotonic() < deadline:
            if marker.exists() and marker.read_text(encoding="utf-8").count("begin waiting") >= 10:
                break
            time.sleep(0.05)
        else:
            raise AssertionError("the demo build never reached its tenth write")
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    # the previous demo is exactly as it was; the half-built one is only in the staging folder
    assert {p.name: digest(p) for p in folder.iterdir() if p.is_file()} == before
    assert [p.name.startswith(STAGING_PREFIX) for p in folder.iterdir() if p.is_dir()] == [True]
    # the rest in this process (the same command line, without a Python start-up each)
    code, out, _ = run_here(["--db", str(paths.warehouse), "status", "--format", "json"], {})
    assert code == 0 and '"demo estate, scale default, seed 2026"' in out
    assert "2026-11-22T10:00:00Z" in out  # the previous history's end, not the killed one's
    # the next build, forced past a file of the user's, clears what the killed one left, replaces
    # the demo's own files and leaves the user's as it was
    (folder / "notes.txt").write_text("keep me\n", encoding="utf-8")
    code, _, err = run_here(["demo", "--out", str(folder), "--now", "2026-11-22T10:00:00Z"], {})
    assert code == 1 and "holds files the demo did not write (notes.txt)" in err
    code, again, err = run_here(
        ["demo", "--out", str(folder), "--force", "--now", "2026-11-22T10:00:00Z"], {}
    )
    assert code == 0, err
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "keep me\n"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [MARKER, "accounts.csv", "estate.toml", "ground-truth.json", "notes.txt", "warehouse.duckdb"]
    )  # no staging folder left behind
    assert digest(paths.ground_truth) == before["ground-truth.json"]  # the same clock, the same history
    assert_demo_accounts(folder, again)  # and an account per role and council, printed


def test_seeds_and_clocks_outside_what_the_demo_takes_are_usage_errors_that_write_nothing(tmp_path):
    folder = tmp_path / "new"
    for args, words in (
        (["--seed", "-1"], "Invalid value for '--seed': -1 is not in the range 0<=x<=4294967295."),
        (["--seed", str(2**32)], "is not in the range 0<=x<=4294967295."),
        (["--now", "1900-01-01"], "'1900-01-01' is outside the years 1970-2100 councilops works in"),
        (["--now", "9999-12-01"], "'9999-12-01' is outside the years 1970-2100 councilops works in"),
        (["--now", "1970-06-01"], "the demo's 13 months of history and 3 months ahead must lie in 1970-2100"),
        (["--now", "2100-06-01"], "choose a time in 1972-2099"),
    ):
        code, _, err = run_here(["demo", "--out", str(folder), *args], {})
        assert code == 2, (args, err)
        assert words in err, (args, err)
        assert not folder.exists()  # refused before anything was written
