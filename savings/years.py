"""Savings by UK financial year: baseline cost against actual cost, net of the investment.

- **Measured days** of a financial year (1 April to 31 March) are the days of it that the
  warehouse has history for, up to the as-of date. Figures are for those days; a year without
  any is "not measured", never zero.
- **Baseline** for those days = the baseline's annual items x days / 365, cashable and
  non-cashable apart (as each item says).
- **Actual** for those days, from the cost model and what the collected data shows running:
  every server (the estate's, and baseline servers still reporting) for the days it reported,
  at its annual cost / 365 a day; provisioned storage (the estate's servers' GiB / 1024 TiB x
  the price per TiB-year x days / 365); power for the physical servers (watts x 24 h x days /
  1000 x the price per kWh); licences x days / 365 (cashable or not, as each says).
- **Saving** = baseline - actual, cashable and non-cashable apart; **net** = saving - the
  investments made in that year. A part-measured year is also shown as a full-year equivalent
  (x 365 / days), which is what compares with the year's target; cumulative figures add up the
  measured years against the targets of the same years.

Sums are exact fractions until each figure is rounded to the penny, half up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from estate.model import Money

PENNY = Decimal("0.01")
DAYS_A_YEAR = 365
HOURS_A_DAY = 24


def pounds(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(PENNY, rounding=ROUND_HALF_UP)


def financial_year_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


@dataclass(frozen=True)
class Running:
    """What ran, as the collected data shows: days each server reported in the year."""

    server_days: Mapping[str, int]  # server id -> days it reported in the measured days
    server_annual_cost: Mapping[str, Decimal]  # for every server above
    storage_gib: float  # provisioned, the estate's servers
    physical_servers: int


@dataclass(frozen=True)
class YearFigures:
    financial_year: str
    measured_days: int
    baseline_cashable: Fraction
    baseline_non_cashable: Fraction
    actual_cashable: Fraction
    actual_non_cashable: Fraction
    investment: Fraction
    target: Fraction | None
    in_progress: bool = False  # the financial year has not ended: its figures are to date

    @property
    def saving_cashable(self) -> Fraction:
        return self.baseline_cashable - self.actual_cashable

    @property
    def saving_non_cashable(self) -> Fraction:
        return self.baseline_non_cashable - self.actual_non_cashable

    @property
    def net_saving(self) -> Fraction:
        return self.saving_cashable + self.saving_non_cashable - self.investment

    @property
    def full_year_net_saving(self) -> Fraction | None:
        if not self.measured_days:
            return None
        gross = (self.saving_cashable + self.saving_non_cashable) * DAYS_A_YEAR / self.measured_days
        return gross - self.investment

    @property
    def met(self) -> bool | None:
        """The full-year equivalent against the year's target; None without either, and None for
        a year in progress: "met" is judged on a complete year only."""
        if self.in_progress or self.full_year_net_saving is None or self.target is None:
            return None
        return self.full_year_net_saving >= self.target

    @property
    def on_track_to_date(self) -> bool | None:
        """A year in progress: the net saving realised to date against the target to date (the
        year's target x the days measured / 365); None for a complete year or without a target."""
        if not self.in_progress or self.target is None or not self.measured_days:
            return None
        return self.net_saving >= self.target * Fraction(self.measured_days, DAYS_A_YEAR)


def year_figures(financial_year: str, measured_days: int, money: Money, running: Running) -> YearFigures:
    days = Fraction(measured_days, DAYS_A_YEAR)
    baseline = money.baseline
    items = baseline.items if baseline else ()
    baseline_cashable = sum((Fraction(i.annual_gbp) * days for i in items if i.cashable), Fraction(0))
    baseline_non_cashable = sum((Fraction(i.annual_gbp) * days for i in items if not i.cashable), Fraction(0))
    model = money.cost_model
    servers = sum(
        (
            Fraction(running.server_annual_cost[s]) * Fraction(n, DAYS_A_YEAR)
            for s, n in running.server_days.items()
        ),
        Fraction(0),
    )
    storage = (
        Fraction(Decimal(repr(running.storage_gib))) / 1024 * Fraction(model.storage_gbp_per_tib_year) * days
    )
    power_kwh = (
        Fraction(Decimal(repr(model.physical_server_watts)))
        * running.physical_servers
        * HOURS_A_DAY
        * measured_days
        / 1000
    )
    power = power_kwh * Fraction(model.power_gbp_per_kwh)
    licences_cashable = sum(
        (Fraction(lic.annual_gbp) * days for lic in model.licences if lic.cashable), Fraction(0)
    )
    licences_other = sum(
        (Fraction(lic.annual_gbp) * days for lic in model.licences if not lic.cashable), Fraction(0)
    )
    investment = sum(
        (Fraction(i.amount_gbp) for i in money.investments if i.financial_year == financial_year), Fraction(0)
    )
    target = next(
        (Fraction(t.target_gbp) for t in money.savings_targets if t.financial_year == financial_year), None
    )
    return YearFigures(
        financial_year,
        measured_days,
        baseline_cashable,
        baseline_non_cashable,
        servers + storage + power + licences_cashable,
        licences_other,
        investment,
        target,
    )


@dataclass(frozen=True)
class CumulativeYear:
    """The measured years' full-year net savings added up to this year, against their targets."""

    financial_year: str
    measured: bool
    net_saving: Fraction | None  # None for a year not measured
    target: Fraction | None

    @property
    def on_track(self) -> bool | None:
        return None if self.net_saving is None else self.net_saving >= self.target


def cumulative(years: Sequence[YearFigures]) -> list[CumulativeYear]:
    """The measured years' full-year net savings added up against their targets, year by year."""
    running_saving, running_target, rows = Fraction(0), Fraction(0), []
    for year in years:
        if year.full_year_net_saving is None:
            rows.append(CumulativeYear(year.financial_year, False, None, None))
            continue
        running_saving += year.full_year_net_saving
        running_target += year.target or 0
        rows.append(CumulativeYear(year.financial_year, True, running_saving, running_target))
    return rows
