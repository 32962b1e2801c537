"""The reports issued to a council, as its viewer may see them: the list and a file's bytes.

A council viewer sees only its own council's reports; asking for another council's is refused
exactly as an unknown council is (estate.scope), so nothing says whether it has any."""

from __future__ import annotations

from estate.model import Estate, UnknownId
from estate.scope import Scope
from warehouse import IssuedReport


def _allowed(estate: Estate, scope: Scope, council_id: str) -> None:
    estate.council(council_id)  # UnknownId for a council not in the estate
    if not scope.is_provider and scope.council_id != council_id:
        raise UnknownId(f"no council {council_id!r} in the estate")


def issued_to(warehouse, estate: Estate, scope: Scope, council_id: str) -> list[IssuedReport]:
    """The council's monthly reports, every revision, newest month and revision first."""
    _allowed(estate, scope, council_id)
    found = warehouse.issued_reports(kind="sla", council_id=council_id)
    return sorted(found, key=lambda r: (r.period, r.revision), reverse=True)


def issued_file(
    warehouse, estate: Estate, scope: Scope, council_id: str, month: str, revision: int
) -> bytes | None:
    """The PDF of one revision of the council's month, or None when there is none."""
    _allowed(estate, scope, council_id)
    return warehouse.issued_report_content(f"sla/{council_id}/{month}", revision)


def savings_issued(warehouse, scope: Scope) -> list[IssuedReport]:
    """The savings reports issued, every revision, newest first: the provider's only."""
    scope.require_provider("the savings reports")
    found = warehouse.issued_reports(kind="savings")
    return sorted(found, key=lambda r: (r.issued_at_utc, r.report_id, r.revision), reverse=True)


def savings_file(warehouse, scope: Scope, report_id: str, revision: int) -> bytes | None:
    """The PDF of one revision of a savings report, or None when there is none."""
    scope.require_provider("the savings reports")
    if not report_id.startswith("savings/"):
        return None
    return warehouse.issued_report_content(report_id, revision)
