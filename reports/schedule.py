"""Last month's reports, issued and emailed on the estate's day and time (`[reports]`
issue_day, issue_time, in the estate's zone), by the served process."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from application.periods import estate_zone, months_to
from estate.model import Estate
from reports.archive import Outcome, ReportError, issue_monthly
from reports.delivery import Sent, send_report


def due_month(now: datetime, estate: Estate) -> str | None:
    """The month whose reports are due at `now` (aware): the month before the current one, once
    the issue day and time of the current month have come in the estate's zone; else None."""
    local = now.astimezone(estate_zone(estate))
    hour, minute = (int(part) for part in estate.reports.issue_time.split(":"))
    due = local.replace(day=estate.reports.issue_day, hour=hour, minute=minute, second=0, microsecond=0)
    if local < due:
        return None
    return months_to(f"{local.year:04d}-{local.month:02d}", 2)[0]


def issue_due(
    estate: Estate,
    warehouse,
    archive: Path,
    clock: Callable[[], datetime],
    send=send_report,
    write_lock=None,
) -> tuple[list[Outcome], list[Sent]]:
    """Issue the due month's reports not issued yet and email each one issued now. A month
    already issued for a council is left as it is (a resend is `councilops report send`)."""
    month = due_month(clock(), estate)
    if month is None:
        return [], []
    try:
        outcomes = issue_monthly(
            estate, warehouse, month, archive=archive, clock=clock, write_lock=write_lock
        )
    except ReportError:
        return [], []  # the month is not over in what is collected yet: the next check tries again
    with write_lock if write_lock is not None else contextlib.nullcontext():  # the delivery log
        sent = [send(estate, warehouse, o.issued, clock=clock) for o in outcomes if o.issued is not None]
    return outcomes, sent
