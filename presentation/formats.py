"""How each kind of figure is shown, in one place: the terminal, CSV, the pages and the reports
all format through these.

- durations as H:MM:SS (hours run past 24: a month's scheduled time reads 208:00:00);
- percentages rounded *down* to three decimals (../shared/PRODUCT.md: a shown 99.500 never hides
  99.4996), from exact fractions where the rule is exact;
- money as pounds and pence with thousands separators, from `Decimal`, never a float;
- instants in the estate's time zone, with the zone's abbreviation (GMT or BST);
- yes / no / n/a rather than True / False / None.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

PENNY = Decimal("0.01")


def duration(seconds: int | float | Fraction | None) -> str:
    """H:MM:SS in whole seconds rounded down, so an overspent budget never looks smaller than it
    is (-939.6 s is -0:15:40); negative with a minus sign; '' for None."""
    if seconds is None:
        return ""
    whole = math.floor(seconds)
    sign = "-" if whole < 0 else ""
    whole = abs(whole)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours}:{minutes:02d}:{secs:02d}"


def percent_down(value: Fraction | Decimal | None, decimals: int = 3, *, fraction: bool = True) -> str:
    """A share (fraction=True: 0..1) or a percentage (fraction=False) as a percentage rounded
    down to `decimals`; '' for None."""
    if value is None:
        return ""
    exact = Fraction(value) * (100 if fraction else 1)
    scale = 10**decimals
    shown = Decimal(math.floor(exact * scale)) / Decimal(scale)  # exact: no decimal division first
    return f"{shown:.{decimals}f}"


def money(value: Decimal | Fraction | None, *, symbol: bool = True, separators: bool = True) -> str:
    """Pounds and pence, half up to the penny: '£1,234.50'; '' for None."""
    if value is None:
        return ""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    pence = Decimal(value).quantize(PENNY, rounding=ROUND_HALF_UP)
    text = f"{pence:,.2f}" if separators else f"{pence:.2f}"
    if text.startswith("-"):
        return f"-£{text[1:]}" if symbol else text
    return f"£{text}" if symbol else text


def money_plain(value: Decimal | Fraction | None) -> str | None:
    """Pounds and pence for machines (JSON, CSV): '1234.50', None for None."""
    return None if value is None else money(value, symbol=False, separators=False)


def local_time(moment: datetime | None, tz: ZoneInfo) -> str:
    """'2026-11-10 10:12 GMT' in the estate's zone; '' for None. A naive time is the
    warehouse's UTC (never the machine's own zone)."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")


def utc_iso(moment: datetime | None) -> str | None:
    """'2026-11-10T10:12:00Z' for machines; None for None."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")


def day(value: date | None) -> str:
    return "" if value is None else value.isoformat()


def yes_no(value: bool | None, *, unknown: str = "n/a", no: str = "NO") -> str:
    """'yes', 'NO' (capitals: a miss should catch the eye) or `unknown`."""
    if value is None:
        return unknown
    return "yes" if value else no


def number(value: float | None, decimals: int = 2) -> str:
    return "" if value is None else f"{value:,.{decimals}f}"
