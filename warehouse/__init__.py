"""The warehouse: one DuckDB file; this package holds all of the project's SQL.

with Warehouse.open("councilops.duckdb") as warehouse:
    warehouse.replace_availability(site_id, window_start, window_end, frame)
"""

from warehouse.accounts import AccountRow, Accounts
from warehouse.explanations import ExplanationRow, Explanations
from warehouse.probe_days import MAX_PROBE_SECONDS, ProbeDays, ProbeEndpoint, Probes, ProbeWrite
from warehouse.reads import Reads
from warehouse.reports import Deliveries, Delivery, IssuedReport, ReportExistsError, Reports
from warehouse.store import (
    WarehouseBusyError,
    WarehouseDamagedError,
    WarehouseError,
    WarehouseWriteError,
    damage,
    utc_naive,
)
from warehouse.window_tables import AVAILABILITY_BATCH_SCHEMA, UNMONITORED_CAUSES, UTILISATION_METRICS
from warehouse.window_writes import Replacement, WindowWrites
from warehouse.writes import Writes


class Warehouse(WindowWrites, ProbeDays, Accounts, Explanations, Reports, Deliveries, Writes, Reads):
    """Open with Warehouse.open(path); one per process, a cursor() per extra thread."""


__all__ = [
    "AccountRow",
    "ExplanationRow",
    "Delivery",
    "IssuedReport",
    "ReportExistsError",
    "AVAILABILITY_BATCH_SCHEMA",
    "MAX_PROBE_SECONDS",
    "ProbeEndpoint",
    "Probes",
    "ProbeWrite",
    "Replacement",
    "UNMONITORED_CAUSES",
    "UTILISATION_METRICS",
    "Warehouse",
    "WarehouseBusyError",
    "WarehouseDamagedError",
    "WarehouseError",
    "WarehouseWriteError",
    "damage",
    "utc_naive",
]
