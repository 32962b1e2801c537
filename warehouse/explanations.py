"""Outage explanations (migration 0008): kept as versions, never updated or deleted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from warehouse.fragments import ONLY
from warehouse.store import _Connection, utc_naive


@dataclass(frozen=True)
class ExplanationRow:
    service_id: str
    outage_start_utc: datetime
    version: int
    outage_end_utc: datetime
    cause: str
    incident_ref: str
    explanation: str
    written_by: str
    written_at_utc: datetime


_COLUMNS = (
    "service_id, outage_start_utc, version, outage_end_utc, cause, incident_ref, explanation, "
    "written_by, written_at_utc"
)


class Explanations(_Connection):
    def add_explanation(
        self,
        service_id: str,
        outage_start: datetime,
        outage_end: datetime,
        cause: str,
        incident_ref: str,
        explanation: str,
        written_by: str,
        at: datetime,
    ) -> int:
        """Add the next version of the outage's explanation; returns its version."""
        with self.transaction():
            (latest,) = self._con.execute(
                "SELECT coalesce(max(version), 0) FROM outage_explanations "
                "WHERE service_id = ? AND outage_start_utc = ?",
                [service_id, utc_naive(outage_start)],
            ).fetchall()[0]
            self._con.execute(
                f"INSERT INTO outage_explanations ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    service_id,
                    utc_naive(outage_start),
                    latest + 1,
                    utc_naive(outage_end),
                    cause,
                    incident_ref,
                    explanation,
                    written_by,
                    utc_naive(at),
                ],
            )
        return latest + 1

    def explanations(
        self, start: datetime, end: datetime, service_ids: list[str] | None
    ) -> list[ExplanationRow]:
        """Every version of the explanations of outages overlapping [start, end) of these
        services (None: every service), oldest version first."""
        found = self._con.execute(
            f"SELECT {_COLUMNS} FROM outage_explanations WHERE outage_start_utc < ? AND outage_end_utc > ? "
            f"AND {ONLY.format(column='service_id')} ORDER BY service_id, outage_start_utc, version",
            [utc_naive(end), utc_naive(start), service_ids, service_ids],
        ).fetchall()
        return [ExplanationRow(*row) for row in found]
