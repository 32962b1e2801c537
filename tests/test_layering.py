"""The layering in pyproject.toml's import-linter contracts holds: rules are pure, SQL is in one place."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_contracts_hold():
    lint_imports = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    result = subprocess.run(
        [lint_imports, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken" in result.stdout


def test_only_the_warehouse_package_names_duckdb():
    offenders = [
        str(path.relative_to(ROOT))
        for package in (
            "estate",
            "sla",
            "capacity",
            "savings",
            "collectors",
            "application",
            "presentation",
            "dashboard",
            "reports",
            "councilops",
        )
        for path in (ROOT / package).rglob("*.py")
        if "import duckdb" in path.read_text(encoding="utf-8") and "warehouse" not in str(path)
    ]
    assert offenders == []
