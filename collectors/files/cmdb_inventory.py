"""The server inventory as a CMDB exports it (CSV), checked row by row.

A ServiceNow-style export of the server class (`cmdb_ci_server` and its children), by field
name. The columns read (docs/sources.md); any others are ignored:

    name, location, install_status, cpu_core_count (or cpu_count), ram, disk_space, virtual

- `name` is the server: a server id of the estate, compared in lower case.
- `location` is the site: a site id or its `name` (case-insensitive).
- `install_status` as exported, the display value (Installed, Retired, ...) or the stored code
  (1, 7, ...); Installed, In Maintenance and Pending Repair are in service.
- `cpu_core_count`, else `cpu_count`: a whole number of cores from 1 to MAX_CORES (4096).
- `ram` in MB and `disk_space` in GB, as the CMDB's discovery records them (binary units:
  16384 MB is 16 GiB); above 0 and at most MAX_RAM_MB (64 TiB) and MAX_DISK_GB (16 PiB).
  Digits with an optional decimal point, thousands separators or exponent (`16,384`,
  `1.6384e4`); NaN, infinity, negative numbers and numbers over the bound are rejected.
- `virtual` true or false (empty: physical unless `sys_class_name` is a virtual machine class).

A bad row is rejected with its line number and reason; every other row loads. The file is
refused whole (InventoryError, "file:line: what is wrong") only when it cannot be read at all:
over MAX_FILE_BYTES (64 MiB), empty (no header row), or a header without one of the columns it
needs, holding a column it reads twice, or malformed. How the CSV itself is read (line endings,
blank lines, rows of the wrong width, fields over MAX_FIELD_BYTES (128 KiB) or holding a NUL,
unterminated quotes) is collectors/files/csv_table.py's, shared with the backup report.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import polars as pl

from collectors.files.csv_table import read_csv_table
from collectors.files.sizes import shown
from estate.model import Estate
from warehouse import Replacement

REQUIRED = ("name", "location", "install_status", "ram")
CORE_COLUMNS = ("cpu_core_count", "cpu_count")  # the first present and filled is used
COLUMNS_READ = (*REQUIRED, *CORE_COLUMNS, "disk_space", "virtual", "sys_class_name")
MAX_CORES = 4096
MAX_RAM_MB = 64 * 1024 * 1024  # 64 TiB
MAX_DISK_GB = 16 * 1024 * 1024  # 16 PiB
STATUSES = {
    # ServiceNow's install_status choices: code -> display value
    "1": "Installed",
    "2": "On Order",
    "3": "In Maintenance",
    "4": "Pending Install",
    "5": "Pending Repair",
    "6": "In Stock",
    "7": "Retired",
    "8": "Stolen",
    "100": "Absent",
}
IN_SERVICE = {"Installed", "In Maintenance", "Pending Repair"}
TRUE, FALSE = {"true", "yes", "1"}, {"false", "no", "0"}
VIRTUAL_CLASSES = {"cmdb_ci_vm_instance", "cmdb_ci_vmware_instance", "cmdb_ci_hyper_v_instance"}


class InventoryError(ValueError):
    """The file cannot be read at all; the message names the file and what is wrong."""


@dataclass(frozen=True)
class InventoryServer:
    line: int
    server_id: str
    site_id: str
    kind: str  # physical or virtual
    cores: int
    memory_gib: float
    storage_gib: float | None
    status: str  # the display value
    in_service: bool


@dataclass
class Loaded:
    servers: list[InventoryServer] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    rows: int = 0  # the rows after the header, blank lines apart: loaded or rejected


def _status(text: str) -> str | None:
    text = text.strip()
    if text in STATUSES:
        return STATUSES[text]
    by_name = {v.lower(): v for v in STATUSES.values()}
    return by_name.get(text.lower())


_NUMBER = re.compile(r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


def _number(text: str, column: str, most: int, unit: str) -> float:
    """A number above 0 and at most `most`; anything else (NaN, infinity, a negative number, one
    over the bound) is a ValueError naming the column and the bound."""
    stripped = text.strip()
    if not stripped:
        raise ValueError(f"{column} is empty")
    number = float(stripped.replace(",", "")) if _NUMBER.fullmatch(stripped) else math.nan
    if not 0 < number <= most:  # NaN and infinity fail it too
        raise ValueError(f"{column} {shown(text)} is not a number above 0 and at most {most:,} ({unit})")
    return number


def _cores(row: dict[str, str]) -> int:
    present = [c for c in CORE_COLUMNS if c in row]
    column = next((c for c in present if row[c].strip()), None)
    if column is None:
        raise ValueError(f"{' and '.join(present)} {'is' if len(present) == 1 else 'are'} empty")
    text = row[column].strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 5 and 1 <= int(text) <= MAX_CORES):
        raise ValueError(
            f"{column} {shown(row[column])} is not a whole number of cores from 1 to {MAX_CORES}"
        )
    return int(text)


def _row(row: dict[str, str], line: int, sites: dict[str, str]) -> InventoryServer:
    name = (row.get("name") or "").strip().lower()
    if not name:
        raise ValueError("name is empty")
    location = (row.get("location") or "").strip()
    site_id = sites.get(location.lower())
    if site_id is None:
        raise ValueError(f"location {shown(location)} is no site of the estate")
    status = _status(row.get("install_status") or "")
    if status is None:
        raise ValueError(
            f"install_status {shown(row.get('install_status') or '')} is not one of {', '.join(STATUSES.values())}"
        )
    cores = _cores(row)
    memory_gib = _number(row.get("ram") or "", "ram (MB)", MAX_RAM_MB, "64 TiB") / 1024
    disk = (row.get("disk_space") or "").strip()
    storage_gib = _number(disk, "disk_space (GB)", MAX_DISK_GB, "16 PiB") if disk else None
    virtual = (row.get("virtual") or "").strip().lower()
    if virtual in TRUE:
        kind = "virtual"
    elif virtual in FALSE:
        kind = "physical"
    elif not virtual:
        kind = "virtual" if (row.get("sys_class_name") or "").strip() in VIRTUAL_CLASSES else "physical"
    else:
        raise ValueError(f"virtual {shown(row.get('virtual') or '')} is not true or false")
    return InventoryServer(
        line, name, site_id, kind, cores, memory_gib, storage_gib, status, status in IN_SERVICE
    )


def read_inventory(text: str, file_name: str, estate: Estate) -> Loaded:
    sites = {}
    for site in estate.sites:
        sites[site.id.lower()] = site.id
        sites[site.name.lower()] = site.id
    table = read_csv_table(
        text,
        file_name,
        InventoryError,
        COLUMNS_READ,
        lambda h: h.strip().lower(),
        max_file_bytes=estate.limits.file_max_bytes,
        max_field_bytes=estate.limits.field_max_bytes,
    )
    header = table.header
    missing = [c for c in REQUIRED if c not in header]
    if not any(c in header for c in CORE_COLUMNS):
        missing.append(" or ".join(CORE_COLUMNS))
    if missing:
        raise InventoryError(
            f"{file_name}:{table.header_line}: the header has no {', '.join(repr(c) for c in missing)} column "
            f"(found: {', '.join(shown(h) for h in header)})"
        )
    loaded = Loaded(rejected=list(table.rejected), rows=table.count)
    first_line: dict[str, int] = {}
    for row in table.rows:
        line = row.line
        try:
            server = _row(row.fields, line, sites)
        except ValueError as error:
            loaded.rejected.append((line, str(error)))
            continue
        if server.server_id in first_line:
            loaded.rejected.append(
                (line, f"name {shown(server.server_id)} is already on line {first_line[server.server_id]}")
            )
            continue
        first_line[server.server_id] = line
        loaded.servers.append(server)
    loaded.rejected.sort()
    return loaded


SCHEMA = {
    "line": pl.Int32,
    "server_id": pl.Utf8,
    "site_id": pl.Utf8,
    "kind": pl.Utf8,
    "cores": pl.Int32,
    "memory_gib": pl.Float64,
    "storage_gib": pl.Float64,
    "status": pl.Utf8,
    "in_service": pl.Boolean,
}


def inventory_frame(loaded: Loaded) -> pl.DataFrame:
    """The loaded servers as the warehouse's server_inventory batch."""
    columns = {name: [getattr(server, name) for server in loaded.servers] for name in SCHEMA}
    return pl.DataFrame(columns, schema=SCHEMA).rename({"line": "source_line"})


def write_inventory(loaded: Loaded, warehouse, snapshot_date, source: str) -> Replacement:
    """Replace the inventory of `snapshot_date` with what the export held. An export with no
    server in it (header only, or every row rejected) replaces nothing: a failed export must
    not turn every server of the estate into "not in the CMDB"."""
    if not loaded.servers:
        return Replacement()
    return warehouse.replace_server_inventory(snapshot_date, source, inventory_frame(loaded))
