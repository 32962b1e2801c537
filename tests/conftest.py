"""Shared fixtures: a small estate, a fresh warehouse per test, and one demo estate per session."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from warehouse import Warehouse

FIXTURES = Path(__file__).parent / "fixtures"
SMALL_ESTATE = FIXTURES / "small-estate.toml"
# The demo built for the tests ends here, so that every run plants the same history.
DEMO_NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


@pytest.fixture
def small_estate_text() -> str:
    return SMALL_ESTATE.read_text(encoding="utf-8")


@pytest.fixture
def warehouse(tmp_path: Path):
    with Warehouse.open(tmp_path / "test.duckdb", create=True) as opened:
        yield opened


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory):
    """The default demo estate, built once for the whole run: (paths, ground truth). Under
    pytest-xdist the workers share one build (the first to ask builds it, under a lock, while
    the other goes on with tests that need no demo until it needs it too): every test reads it
    only (read-only opens, copies), never writes into it."""
    import fcntl
    import json
    import os

    from collectors.demo import DemoPaths, build_demo

    shared = os.environ.get("PYTEST_XDIST_WORKER") is not None
    root = tmp_path_factory.getbasetemp().parent if shared else tmp_path_factory.getbasetemp()
    folder, built = root / "demo-shared", root / "demo-shared.built"
    with open(root / "demo-shared.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not built.exists():
            build_demo(folder, scale="default", seed=2026, now=DEMO_NOW)
            built.touch()
    paths = DemoPaths(folder)
    return paths, json.loads(paths.ground_truth.read_text(encoding="utf-8"))  # the file is the promise


def require_program(name: str) -> str:
    """The path of a program a test needs. Missing, the test fails under CI=true (make test
    installs it) and is skipped elsewhere, saying how to get it."""
    import os
    import shutil

    path = shutil.which(name)
    if path:
        return path
    message = f"{name} is not installed (`make test` installs the Debian packages the suite needs)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)
