"""The session's demo copied for a report test module, which issues into its own warehouse."""

from __future__ import annotations

import shutil
from pathlib import Path

from estate import load_estate
from warehouse import Warehouse


def open_demo_copy(demo_build, folder: Path):
    """(estate, warehouse opened for writing) of a copy of the demo in `folder`."""
    paths, _ = demo_build
    shutil.copy(paths.estate, folder / "estate.toml")
    shutil.copy(paths.warehouse, folder / "warehouse.duckdb")
    return load_estate(folder / "estate.toml"), Warehouse.open(folder / "warehouse.duckdb")
