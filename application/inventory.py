"""The estate's server list reconciled with the CMDB's inventory: what each says that the other
does not. The estate is what councilops costs and watches; the CMDB is what the provider
believes it runs. A server in one and not the other is a cost not counted or a record not kept.

Findings, one per server and field:
- `not in the estate`: in service in the CMDB, missing from the estate (not costed, not watched);
- `not in the CMDB`: in the estate, missing from the CMDB;
- `not in service in the CMDB`: in the estate, but Retired (or Absent, In Stock, ...) in the CMDB;
- `site`, `kind`, `cores`: different;
- `memory_gib`: different by a MiB or more;
- `storage_gib`: different by more than 1 % of the larger (disks are sized in round numbers in
  one system and summed from volumes in the other). No CMDB figure is no finding.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from application.collected import estate_as_collected
from application.provenance import Provenance, provenance_of
from estate.model import Estate
from estate.scope import Scope
from warehouse import Warehouse

STORAGE_TOLERANCE = 0.01


@dataclass(frozen=True)
class Finding:
    server_id: str
    site_id: str
    finding: str
    estate_value: str
    cmdb_value: str
    cmdb_line: int | None


def _gib(value: float) -> str:
    return f"{value:,.1f}"


def reconcile(estate: Estate, inventory: Iterable[Mapping]) -> list[Finding]:
    """`inventory`: rows with the columns of the warehouse's server_inventory."""
    cmdb = {row["server_id"]: row for row in inventory}
    findings: list[Finding] = []
    listed = set()
    for server in estate.servers:
        key = server.id.lower()
        listed.add(key)
        row = cmdb.get(key)
        if row is None:
            findings.append(Finding(server.id, server.site, "not in the CMDB", "listed", "", None))
            continue
        line = row["source_line"]

        def differs(what: str, ours: str, theirs: str, server=server, line=line) -> None:
            findings.append(Finding(server.id, server.site, what, ours, theirs, line))

        if not row["in_service"]:
            differs("not in service in the CMDB", "listed", row["status"])
        if row["site_id"] != server.site:
            differs("site", server.site, row["site_id"])
        if row["kind"] != server.kind:
            differs("kind", server.kind, row["kind"])
        if row["cores"] != server.cores:
            differs("cores", str(server.cores), str(row["cores"]))
        if round(row["memory_gib"] * 1024) != round(server.memory_gib * 1024):
            differs("memory_gib", _gib(server.memory_gib), _gib(row["memory_gib"]))
        storage = row["storage_gib"]
        if storage is not None and abs(storage - server.storage_gib) > STORAGE_TOLERANCE * max(
            storage, server.storage_gib
        ):
            differs("storage_gib", _gib(server.storage_gib), _gib(storage))
    for key, row in sorted(cmdb.items()):
        if key not in listed and row["in_service"]:
            findings.append(
                Finding(key, row["site_id"], "not in the estate", "", row["status"], row["source_line"])
            )
    return sorted(findings, key=lambda f: (f.site_id, f.server_id, f.finding))


@dataclass(frozen=True)
class InventoryReconciliation:
    snapshot_date: date | None  # the CMDB export's day; None when none was loaded
    findings: tuple[Finding, ...]
    provenance: Provenance
    cmdb_servers: int = 0  # rows the CMDB holds for that day; none, and there is nothing to compare


def inventory_reconciliation(
    estate: Estate, warehouse: Warehouse, snapshot_date: date | None = None, *, scope: Scope
) -> InventoryReconciliation:
    """The estate against the CMDB inventory of a day (default: the latest loaded). The CMDB
    is the provider's record of its whole estate: a council viewer is refused."""
    scope.require_provider("the CMDB reconciliation")
    estate = estate_as_collected(estate, warehouse)
    inventory = warehouse.server_inventory(snapshot_date)
    day = snapshot_date
    if day is None and inventory.height:
        day = inventory["snapshot_date"][0]
    # no export held for the day: every server "not in the CMDB" would be a finding made of nothing
    findings = reconcile(estate, inventory.iter_rows(named=True)) if inventory.height else []
    return InventoryReconciliation(day, tuple(findings), provenance_of(estate), inventory.height)
