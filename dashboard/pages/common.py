"""What several pages share: the months a page can show, local times, the council a request may see."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from application.periods import estate_zone, months_to
from dashboard import auth
from dashboard.access import NotFound

MONTHS_SHOWN = 13  # the months a page offers: the history the warehouse keeps


def zone(served) -> ZoneInfo:
    return estate_zone(served.estate)


def chosen_month(served, month: str | None) -> tuple[str, list[str]]:
    """The month asked for, if among those offered (the current month and the twelve before),
    else the current month; with the months offered."""
    current = served.answers.current_month()
    offered = months_to(current, MONTHS_SHOWN)
    if month is None:
        return current, offered
    if month not in offered:
        raise NotFound(f"month {month}")
    return month, offered


def council_of(viewer, served, asked: str | None) -> str | None:
    """The council a page shows: a council viewer's own, always (asking for another is refused
    and logged, as an unknown one); a provider's choice, if it names a council of the estate."""
    if viewer.scope.council_id is not None:
        if asked is not None and asked != viewer.scope.council_id:
            auth.refused("another council in the URL", asked=asked)
            raise NotFound(f"council {asked}")
        return viewer.scope.council_id
    if asked is None:
        return None
    if asked not in {c.id for c in served.estate.councils}:
        raise NotFound(f"council {asked}")
    return asked
