"""The server inventory as a CMDB exports it (CSV), checked row by row.

A ServiceNow-style export of the server class (`cmdb_ci_server` and its children), by field
name. The columns read (docs/sources.md); any others are ignored:

    name, location, install_status, cpu_core_count (or cpu_count), ram, disk_space, virtual

- `name` is the server: a server id of the estate, compared in lower case.
- `location` is the site: a site id or its `name` (case-insensitive).
- `install_status` as exported, the display value (Installed, Retired, ...) or the stored code
  (1, 7, ...); Installed, In Maintenance and Pending Repair are in service.
- `ram` in MB and `disk_space` in GB, as the CMDB's discovery records them (binary units:
  16384 MB is 16 GiB).
- `virtual` true or false (empty: physical unless `sys_class_name` is a virtual machine class).

A bad row is rejected with its line number and reason; every other row loads. A file without
one of the columns it needs is refused whole, naming the missing column.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import polars as pl

from estate.model import Estate

REQUIRED = ("name", "location", "install_status", "ram")
CORE_COLUMNS = ("cpu_core_count", "cpu_count")  # the first present and filled is used
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


def _status(text: str) -> str | None:
    text = text.strip()
    if text in STATUSES:
        return STATUSES[text]
    by_name = {v.lower(): v for v in STATUSES.values()}
    return by_name.get(text.lower())


def _positive_number(text: str, column: str) -> float:
    try:
        number = float(text.replace(",", "").strip())
    except ValueError:
        raise ValueError(f"{column} {text!r} is not a number") from None
    if not number > 0 or number == float("inf"):
        raise ValueError(f"{column} {text!r} is not a positive number")
    return number


def _row(row: dict[str, str], line: int, sites: dict[str, str]) -> InventoryServer:
    name = (row.get("name") or "").strip().lower()
    if not name:
        raise ValueError("name is empty")
    location = (row.get("location") or "").strip()
    site_id = sites.get(location.lower())
    if site_id is None:
        raise ValueError(f"location {location!r} is no site of the estate")
    status = _status(row.get("install_status") or "")
    if status is None:
        raise ValueError(
            f"install_status {row.get('install_status')!r} is not one of {', '.join(STATUSES.values())}"
        )
    core_text = next((row[c].strip() for c in CORE_COLUMNS if (row.get(c) or "").strip()), "")
    if not core_text.isdigit() or int(core_text) == 0:
        raise ValueError(f"cpu_core_count {core_text!r} is not a whole number of cores above 0")
    memory_gib = _positive_number(row.get("ram") or "", "ram (MB)") / 1024
    disk = (row.get("disk_space") or "").strip()
    storage_gib = _positive_number(disk, "disk_space (GB)") if disk else None
    virtual = (row.get("virtual") or "").strip().lower()
    if virtual in TRUE:
        kind = "virtual"
    elif virtual in FALSE:
        kind = "physical"
    elif not virtual:
        kind = "virtual" if (row.get("sys_class_name") or "").strip() in VIRTUAL_CLASSES else "physical"
    else:
        raise ValueError(f"virtual {row.get('virtual')!r} is not true or false")
    return InventoryServer(
        line, name, site_id, kind, int(core_text), memory_gib, storage_gib, status, status in IN_SERVICE
    )


def read_inventory(text: str, file_name: str, estate: Estate) -> Loaded:
    sites = {}
    for site in estate.sites:
        sites[site.id.lower()] = site.id
        sites[site.name.lower()] = site.id
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if not any(c in header for c in CORE_COLUMNS):
        missing.append(" or ".join(CORE_COLUMNS))
    if missing:
        raise InventoryError(
            f"{file_name}:1: the header has no {', '.join(repr(c) for c in missing)} column "
            f"(found: {', '.join(header) or 'nothing'})"
        )
    reader.fieldnames = header
    loaded = Loaded()
    first_line: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        try:
            server = _row(row, line, sites)
        except ValueError as error:
            loaded.rejected.append((line, str(error)))
            continue
        if server.server_id in first_line:
            loaded.rejected.append(
                (line, f"{server.server_id} is already on line {first_line[server.server_id]}")
            )
            continue
        first_line[server.server_id] = line
        loaded.servers.append(server)
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


def write_inventory(loaded: Loaded, warehouse, snapshot_date, source: str) -> int:
    """Replace the inventory of `snapshot_date` with what the export held; the servers written."""
    return warehouse.replace_server_inventory(snapshot_date, source, inventory_frame(loaded))
