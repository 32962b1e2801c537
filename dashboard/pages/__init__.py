"""One module per page; each defines `PAGE` (dashboard.access.Page). Listed here in menu order."""

from __future__ import annotations

from dashboard.pages import (
    admin,
    backups,
    capacity,
    council,
    coverage,
    overview,
    savings,
    service,
    underused,
)

PAGES = tuple(
    sorted(
        (
            m.PAGE
            for m in (overview, council, service, capacity, underused, backups, savings, coverage, admin)
        ),
        key=lambda page: page.order,
    )
)
