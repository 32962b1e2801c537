"""How far the warehouse's history reaches: the "as of" of the capacity and savings answers."""

from __future__ import annotations

from datetime import UTC, datetime

from estate.model import Estate
from warehouse import Warehouse

HISTORY_DAYS = 396  # 13 months


def as_of(warehouse: Warehouse, now: datetime) -> datetime:
    """The one "as of" of every answer: now, or the end of what has been collected (the latest
    watermark of any site and source) when that is earlier, so the minutes since the last
    collection count as nothing rather than as unmonitored."""
    collected = warehouse.collected_until()
    now = now.astimezone(UTC)
    return now if collected is None else min(now, collected.replace(tzinfo=UTC))


def data_end(warehouse: Warehouse, now: datetime) -> datetime:
    """The as-of to the whole hour: where the capacity and savings windows of hourly and daily
    rows end."""
    return as_of(warehouse, now).replace(minute=0, second=0, microsecond=0)


def estate_as_collected(estate: Estate, warehouse: Warehouse) -> Estate:
    """The estate with the servers its `[[server_discovery]]` found (as the warehouse holds
    them) added as ordinary servers, so every answer counts them exactly like listed ones."""
    if not estate.server_discovery:
        return estate
    return estate.with_discovered(warehouse.discovered_servers())
