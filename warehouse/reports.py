"""The archive of issued reports (migrations 0002, 0009): a revision once written is never
updated or deleted; the next revision is a new row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from warehouse.store import WarehouseError, _Connection, utc_naive


class ReportExistsError(WarehouseError):
    """That revision of that report is issued already: it is never written again."""


@dataclass(frozen=True)
class IssuedReport:
    report_id: str  # sla/<council>/<YYYY-MM>
    revision: int
    kind: str  # sla, savings
    council_id: str | None
    period: str
    issued_at_utc: datetime  # naive UTC, as stored
    content_sha256: str
    reason: str
    as_of_utc: datetime | None
    estate_sha256: str | None
    provenance: str | None  # JSON
    archive_path: str | None


_COLUMNS = (
    "report_id, revision, kind, council_id, period, issued_at_utc, content_sha256, reason, "
    "as_of_utc, estate_sha256, provenance, archive_path"
)


class Reports(_Connection):
    def add_issued_report(self, report: IssuedReport, content: bytes) -> None:
        """Write one revision; refused (ReportExistsError) when that revision exists, or when it
        is not the next one after the latest."""
        with self.transaction():
            (latest,) = self._con.execute(
                "SELECT coalesce(max(revision), 0) FROM issued_reports WHERE report_id = ?",
                [report.report_id],
            ).fetchall()[0]
            if report.revision != latest + 1:
                raise ReportExistsError(
                    f"{report.report_id} revision {report.revision} cannot be issued: the latest is {latest}"
                )
            self._con.execute(
                f"INSERT INTO issued_reports ({_COLUMNS}, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    report.report_id,
                    report.revision,
                    report.kind,
                    report.council_id,
                    report.period,
                    utc_naive(report.issued_at_utc),
                    report.content_sha256,
                    report.reason,
                    None if report.as_of_utc is None else utc_naive(report.as_of_utc),
                    report.estate_sha256,
                    report.provenance,
                    report.archive_path,
                    content,
                ],
            )

    def keep_estate_snapshot(self, sha256: str, canonical: str, at: datetime) -> None:
        """Keep the estate snapshot a report is issued from (once per distinct content), so that
        `verify` can render it again from that estate after the file has changed."""
        with self.transaction():
            self._con.execute(
                "INSERT INTO estate_snapshots VALUES (?, ?, NULL, ?) ON CONFLICT DO NOTHING",
                [sha256, utc_naive(at), canonical],
            )

    def estate_snapshot(self, sha256: str) -> str | None:
        """The canonical JSON of a kept estate snapshot, or None."""
        rows = self._con.execute(
            "SELECT estate_json FROM estate_snapshots WHERE snapshot_sha256 = ?", [sha256]
        ).fetchall()
        return rows[0][0] if rows else None

    def issued_reports(self, kind: str | None = None, council_id: str | None = None) -> list[IssuedReport]:
        """Every revision issued, oldest report and revision first; of one kind and council if given."""
        rows = self._con.execute(
            f"SELECT {_COLUMNS} FROM issued_reports WHERE (? IS NULL OR kind = ?) AND (? IS NULL OR council_id = ?) "
            "ORDER BY period, council_id NULLS FIRST, report_id, revision",
            [kind, kind, council_id, council_id],
        ).fetchall()
        return [IssuedReport(*row) for row in rows]

    def issued_report_content(self, report_id: str, revision: int) -> bytes | None:
        rows = self._con.execute(
            "SELECT content FROM issued_reports WHERE report_id = ? AND revision = ?", [report_id, revision]
        ).fetchall()
        return rows[0][0] if rows else None

    def issued_report_by_sha256(self, sha256: str) -> IssuedReport | None:
        rows = self._con.execute(
            f"SELECT {_COLUMNS} FROM issued_reports WHERE content_sha256 = ? ORDER BY revision", [sha256]
        ).fetchall()
        return IssuedReport(*rows[0]) if rows else None


@dataclass(frozen=True)
class Delivery:
    report_id: str
    revision: int
    attempt: int
    to_address: str
    attempted_at_utc: datetime  # naive UTC, as stored
    outcome: str  # sent, failed
    detail: str


class Deliveries(_Connection):
    def add_delivery(self, delivery: Delivery) -> None:
        self._con.execute(
            "INSERT INTO report_deliveries (report_id, revision, attempt, to_address, attempted_at_utc, outcome, "
            "detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                delivery.report_id,
                delivery.revision,
                delivery.attempt,
                delivery.to_address,
                utc_naive(delivery.attempted_at_utc),
                delivery.outcome,
                delivery.detail,
            ],
        )

    def deliveries(self, report_id: str | None = None) -> list[Delivery]:
        rows = self._con.execute(
            "SELECT report_id, revision, attempt, to_address, attempted_at_utc, outcome, detail "
            "FROM report_deliveries WHERE (? IS NULL OR report_id = ?) ORDER BY report_id, revision, attempt",
            [report_id, report_id],
        ).fetchall()
        return [Delivery(*row) for row in rows]

    def next_attempt(self, report_id: str, revision: int) -> int:
        (latest,) = self._con.execute(
            "SELECT coalesce(max(attempt), 0) FROM report_deliveries WHERE report_id = ? AND revision = ?",
            [report_id, revision],
        ).fetchall()[0]
        return latest + 1
