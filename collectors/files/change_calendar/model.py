"""What reading a change calendar gives: its windows (Window), and what was rejected, the
services covered and the UIDs whose earlier windows stay (Loaded)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Window:
    service_id: str
    start_utc: datetime  # naive UTC
    end_utc: datetime
    reference: str  # the event's UID, and the occurrence's start for a recurring one
    summary: str


@dataclass
class Loaded:
    windows: list[Window] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    events: int = 0
    services: set[str] = field(
        default_factory=set
    )  # every service an accepted event names: what the feed covers
    kept_uids: set[str] = field(default_factory=set)  # of the events rejected: what they loaded before stays
