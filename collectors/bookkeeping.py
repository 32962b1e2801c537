"""The record every collection run leaves in the warehouse (collection_runs)."""

from __future__ import annotations

import uuid
from datetime import datetime

from estate.secrets import redacted


def record_run(
    warehouse,
    source: str,
    site_id: str,
    start: datetime,
    end: datetime,
    started: datetime,
    finished: datetime,
    outcome,
) -> None:
    """One row per run and window: its status, the rows it wrote and, when it failed, why."""
    warehouse.record_collection_run(
        str(uuid.uuid4()),
        source,
        site_id,
        start,
        end,
        started,
        finished,
        outcome.status,
        outcome.rows,
        redacted(outcome.message) if outcome.message else None,  # no credential is ever stored
    )
