"""How far the warehouse's history reaches: the "as of" of the capacity and savings answers."""

from __future__ import annotations

from datetime import UTC, datetime

from estate.model import Estate
from warehouse import Warehouse

HISTORY_DAYS = 396  # 13 months


def data_end(warehouse: Warehouse, now: datetime) -> datetime:
    """The end of the collected history (the latest watermark), or now if that is earlier, to
    the hour."""
    collected = warehouse.collected_until()
    end = now if collected is None else min(now, collected.replace(tzinfo=UTC))
    return end.replace(minute=0, second=0, microsecond=0)


def estate_as_collected(estate: Estate, warehouse: Warehouse) -> Estate:
    """The estate with the servers its `[[server_discovery]]` found (as the warehouse holds
    them) added as ordinary servers, so every answer counts them exactly like listed ones."""
    if not estate.server_discovery:
        return estate
    return estate.with_discovered(warehouse.discovered_servers())
