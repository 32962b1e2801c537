"""A financial year's savings from its ledger lines, net of investment, against its target; and
the cumulative net against the target trajectory.

- A year's **basis**: `reported` when the savings register holds it (the signed outturn; the
  warehouse does not hold the whole year); `measured` when the warehouse holds every day of it
  to date; `part measured` when the warehouse's history begins inside it and the register does
  not hold it (the days before the history claim nothing); `not known` otherwise.
- Its **saving** is the sum of its lines' claims, cashable and non-cashable apart; a line "not
  known" claims nothing. **Net** = saving - every investment made in that year, whatever its
  basis.
- **Realised only**: a year in progress counts the days to date. Its full-year run rate (the
  saving x days in the year / days realised, less the year's investment) is a **projection**,
  shown apart and never added to anything.
- **Met** is judged on a complete year only: net >= target. A year in progress is "on track" when
  its net to date reaches the target to date (target x days realised / days in the year).
- **Cumulative**: year by year from the programme's first, the sum of (saving - investment) of
  the years realised, against the sum of the targets (a year in progress: its target to date).

Figures are exact fractions, rounded to the penny (half up) only when shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from savings.ledger import NOT_KNOWN, LedgerLine, pounds  # noqa: F401 (pounds: shown figures)

REPORTED_YEAR = "reported"
MEASURED_YEAR = "measured"
PART_MEASURED_YEAR = "part measured"
NOT_KNOWN_YEAR = "not known"


def financial_year_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def financial_year_start(label: str) -> int:
    return int(label[:4])


def days_in_financial_year(label: str) -> int:
    start = financial_year_start(label)
    return (date(start + 1, 4, 1) - date(start, 4, 1)).days


@dataclass(frozen=True)
class YearLedger:
    financial_year: str
    basis: str  # reported, measured, part measured, not known
    days_in_year: int
    realised_days: int  # the days the figures cover (a reported year: the whole year)
    elapsed_days: int  # days of the year to the as-of date
    in_progress: bool
    lines: tuple[LedgerLine, ...]
    investment: Fraction
    target: Fraction | None
    held_days: int = 0  # days of it the warehouse holds (a reported year may have some)

    def _saving(self, cashable: bool | None) -> Fraction:
        return sum(
            (
                line.saving
                for line in self.lines
                if line.saving is not None and (cashable is None or line.cashable == cashable)
            ),
            Fraction(0),
        )

    @property
    def saving_cashable(self) -> Fraction:
        return self._saving(True)

    @property
    def saving_non_cashable(self) -> Fraction:
        return self._saving(False)

    @property
    def saving(self) -> Fraction:
        return self._saving(None)

    @property
    def net_saving(self) -> Fraction:
        return self.saving - self.investment

    @property
    def evidence_total(self) -> Fraction:
        return sum((line.evidence_total for line in self.lines if line.saving is not None), Fraction(0))

    @property
    def unevidenced(self) -> Fraction:
        return sum((line.unevidenced for line in self.lines), Fraction(0))

    @property
    def not_known(self) -> tuple[str, ...]:
        return tuple(line.category for line in self.lines if line.basis == NOT_KNOWN)

    @property
    def projected_full_year_saving(self) -> Fraction | None:
        """A year in progress: the saving at the rate realised so far, for the whole year."""
        if not self.in_progress or not self.realised_days or self.basis == NOT_KNOWN_YEAR:
            return None
        return self.saving * self.days_in_year / self.realised_days

    @property
    def projected_full_year_net(self) -> Fraction | None:
        projected = self.projected_full_year_saving
        return None if projected is None else projected - self.investment

    @property
    def target_to_date(self) -> Fraction | None:
        if self.target is None:
            return None
        if not self.in_progress:
            return self.target
        return self.target * Fraction(self.elapsed_days, self.days_in_year)

    @property
    def met(self) -> bool | None:
        """Judged on a complete year only, with a target, and a saving known."""
        if self.in_progress or self.target is None or self.basis == NOT_KNOWN_YEAR:
            return None
        return self.net_saving >= self.target

    @property
    def on_track_to_date(self) -> bool | None:
        if not self.in_progress or self.target is None or self.basis == NOT_KNOWN_YEAR:
            return None
        return self.net_saving >= self.target_to_date


@dataclass(frozen=True)
class CumulativeYear:
    """The realised net savings added up to the end of this year (or to date), against the
    targets added up the same way."""

    financial_year: str
    net_saving: Fraction
    target: Fraction | None  # None while no year so far has a target
    complete: bool  # every year so far has a known saving (none "not known")
    in_progress: bool

    @property
    def on_track(self) -> bool | None:
        return None if self.target is None else self.net_saving >= self.target


def cumulative(years: Sequence[YearLedger]) -> list[CumulativeYear]:
    net, target, complete, rows = Fraction(0), None, True, []
    for year in years:
        net += year.saving - year.investment  # a year "not known" saves nothing, invests all
        complete = complete and year.basis != NOT_KNOWN_YEAR
        if year.target_to_date is not None:
            target = (target or Fraction(0)) + year.target_to_date
        rows.append(CumulativeYear(year.financial_year, net, target, complete, year.in_progress))
    return rows
