"""Dates a user writes mean local time in the estate's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import click
import pytest

from application.periods import last_complete_month, local_instant
from councilops.cli.base import parse_instant

LONDON = ZoneInfo("Europe/London")


def test_a_date_is_local_midnight_in_summer_and_in_winter():
    # 15 October is in BST (UTC+1): local midnight is 14 October 23:00 UTC; 15 January is GMT
    assert parse_instant("2026-10-15", "--as-of", LONDON) == datetime(2026, 10, 14, 23, tzinfo=UTC)
    assert parse_instant("2026-01-15", "--as-of", LONDON) == datetime(2026, 1, 15, 0, tzinfo=UTC)
    assert parse_instant("2026-10-15T09:30", "--as-of", LONDON) == datetime(2026, 10, 15, 8, 30, tzinfo=UTC)
    # an offset or a Z means what it says
    assert parse_instant("2026-10-15T00:00:00Z", "--as-of", LONDON) == datetime(2026, 10, 15, tzinfo=UTC)
    assert parse_instant("2026-10-15T00:00:00+02:00", "--as-of", LONDON) == datetime(
        2026, 10, 14, 22, tzinfo=UTC
    )
    assert local_instant(datetime(2026, 3, 29, 12), LONDON) == datetime(2026, 3, 29, 11, tzinfo=UTC)
    with pytest.raises(click.BadParameter, match="'soon' is not an ISO-8601 date and time"):
        parse_instant("soon", "--as-of", LONDON)


def test_the_last_complete_month_is_the_estates():
    # 31 October 23:30 UTC is 23:30 on the 31st in Blackpool (GMT since the 25th): October is
    # still in progress, so September is the last complete month
    assert last_complete_month(datetime(2026, 10, 31, 23, 30, tzinfo=UTC), LONDON) == "2026-09"
    # 30 September 23:30 UTC is 1 October 00:30 BST: September has ended in Blackpool
    assert last_complete_month(datetime(2026, 9, 30, 23, 30, tzinfo=UTC), LONDON) == "2026-09"
    assert last_complete_month(datetime(2027, 1, 10, tzinfo=UTC), LONDON) == "2026-12"
