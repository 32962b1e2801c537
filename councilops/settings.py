"""Production defaults in one place: where the configuration and the warehouse live.

Each setting comes from its command-line option, else its environment variable, else the default.
"""

from __future__ import annotations

from dataclasses import dataclass

CONFIG_ENV = "COUNCILOPS_CONFIG"
DB_ENV = "COUNCILOPS_DB"
DEBUG_ENV = "COUNCILOPS_DEBUG"


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: str
    help: str


SETTINGS = (
    Setting("config", CONFIG_ENV, "estate.toml", "the estate configuration file (TOML)"),
    Setting("db", DB_ENV, "councilops.duckdb", "the warehouse file (DuckDB)"),
)
DEFAULT_CONFIG = SETTINGS[0].default
DEFAULT_DB = SETTINGS[1].default
DEMO_FOLDER = "demo"
