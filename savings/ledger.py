"""The savings ledger: a financial year's saving as the sum of its lines, each with its evidence.

A line is one cost category, cashable or not. Its **claim** is baseline - actual for the days
realised; its **evidence** is the list of things that changed, each with its part of the saving
in those days; the evidence total stands beside the claim, and the part of a claim no evidence
covers is marked. The rules (docs/savings.md, "The ledger"):

- **servers, storage and power are measured**: baseline and actual come from the same kind of
  source, the inventories, priced the same way.
  - servers: the baseline's servers at their annual cost, against every server running in the
    days (the estate's and baseline servers still running) for the days it ran. A baseline server
    ran on the days the warehouse saw it report, and on every day before its recorded switch-off
    date; an estate server on the days it reported, or the whole period if it never reported
    (it is in the estate, so it costs). Evidence: each baseline server's days not running, at its
    cost, dated; less what the servers running now cost.
  - storage: the baseline's arrays at their annual cost, against the arrays not yet retired plus
    the storage provisioned on the estate's servers (GiB / 1024 x the price per TiB-year) for
    the days each ran. Evidence: each array retired, with its date and TB; less the storage
    provisioned now.
  - power: physical servers x watts x 24 h a day x the price per kWh, the baseline's physical
    servers against the physical servers running. Evidence: the switched-off physical servers'
    kWh; less the physical servers running now.
  So a measured line's evidence total equals its claim exactly: every pound is a named server
  or array.
- **every other category is recorded**: its baseline is the baseline items of that category; its
  actual is the figure recorded for the financial year with its source; without one the line is
  "not known" and claims nothing. Its evidence is the recorded changes (a licence dropped, a post
  removed), each at its annual value for the days on or after its date.
- **reported years** (the savings register): each line is the outturn as signed; its evidence is
  the signed return.

A day's cost is the annual cost / the days of that financial year (365, or 366 with a 29
February), so a whole year is exactly the annual figure. Pennies: each evidence item, baseline
and recorded actual is rounded to the penny (half up) from exact fractions; a measured line's
claim is the sum of its evidence items and its actual the baseline less the claim, so every
line reads across (baseline - actual = claim = evidence) and every year down (the sum of its
lines) to the penny, and a measured actual is within half a penny an item of the exact one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from estate.model import MEASURED_CATEGORIES, Money, Server

HOURS_A_DAY = 24
PENNY = Decimal("0.01")
GIB_PER_TIB = 1024

MEASURED = "measured"
RECORDED = "recorded"
REPORTED = "reported"
NOT_KNOWN = "not known"


def exact(value: Decimal | float | int) -> Fraction:
    return Fraction(Decimal(repr(value))) if isinstance(value, float) else Fraction(value)


def pounds(value: Fraction) -> Decimal:
    """To the penny, half up: how every figure is shown."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(PENNY, rounding=ROUND_HALF_UP)


def penny(value: Fraction) -> Fraction:
    """`pounds`, kept as a fraction for exact sums."""
    return Fraction(pounds(value))


def _measured_line(category: str, baseline: Fraction, evidence: list, source: str) -> LedgerLine:
    items = tuple(replace(e, value=penny(e.value)) for e in evidence)
    claim = sum((e.value for e in items), Fraction(0))
    base = penny(baseline)
    return LedgerLine(category, True, MEASURED, base, base - claim, claim, items, source)


@dataclass(frozen=True)
class EvidenceItem:
    kind: str  # baseline-server, storage-array, power, licence-dropped, post-removed, ..., running-now, reported
    subject: str  # a server or array id, or what was recorded
    detail: str  # what happened and when, in words
    on: date | None  # the date it happened (None: running now, or a signed return)
    value: Fraction  # its part of the saving in the days realised; negative for what costs now
    source: str = ""


@dataclass(frozen=True)
class LedgerLine:
    category: str
    cashable: bool
    basis: str  # measured, recorded, reported, not known
    baseline: Fraction | None
    actual: Fraction | None
    saving: Fraction | None  # the claim; None: not known, claims nothing
    evidence: tuple[EvidenceItem, ...]
    source: str = ""  # where the actual (or the reported outturn) comes from
    signed_by: str = ""

    @property
    def evidence_total(self) -> Fraction:
        return sum((e.value for e in self.evidence), Fraction(0))

    @property
    def unevidenced(self) -> Fraction:
        """The part of the claim that no evidence covers (never negative)."""
        if self.saving is None:
            return Fraction(0)
        return max(Fraction(0), self.saving - self.evidence_total)


@dataclass(frozen=True)
class Period:
    """The realised days of a financial year: local dates, `end` exclusive."""

    financial_year: str
    start: date
    end: date
    days_in_year: int

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def share(self, days: int) -> Fraction:
        return Fraction(days, self.days_in_year)

    def days_on_or_after(self, day: date | None) -> int:
        """Days of the period on or after `day` (all of them when it is before the period)."""
        if day is None:
            return 0
        return max(0, (self.end - max(day, self.start)).days)

    def days_before(self, day: date) -> int:
        return self.days - self.days_on_or_after(day)


@dataclass(frozen=True)
class Measured:
    """What the warehouse shows for a period: days each server reported, and when baseline servers
    it saw stop stopped (the local date after the last hour they reported)."""

    days_reported: Mapping[str, int]
    stopped_reporting_on: Mapping[str, date]


def _baseline_server_days(period: Period, server, measured: Measured) -> int:
    """Days a baseline server ran in the period: those it reported, and every day before its
    recorded switch-off (the record is not taken on trust beyond what it says)."""
    seen = measured.days_reported.get(server.id, 0)
    recorded = period.days_before(server.switched_off_on) if server.switched_off_on else 0
    return min(period.days, max(seen, recorded))


def _estate_server_days(period: Period, server: Server, measured: Measured) -> int:
    return measured.days_reported.get(server.id) or period.days


def _switch_off(server, measured: Measured) -> tuple[date | None, str]:
    if server.id in measured.stopped_reporting_on:
        day = measured.stopped_reporting_on[server.id]
        return day, f"stopped reporting {day.isoformat()} (warehouse)"
    if server.switched_off_on:
        return server.switched_off_on, f"switched off {server.switched_off_on.isoformat()} (recorded)"
    return None, "not reporting (no date held)"


def servers_line(
    period: Period, money: Money, estate_servers: Sequence[Server], measured: Measured
) -> LedgerLine:
    baseline_servers = money.baseline.servers if money.baseline else ()
    baseline_ids = {b.id for b in baseline_servers}
    baseline = sum(
        (exact(b.annual_cost_gbp) * period.share(period.days) for b in baseline_servers), Fraction(0)
    )
    evidence, actual = [], Fraction(0)
    for b in baseline_servers:
        ran = _baseline_server_days(period, b, measured)
        actual += exact(b.annual_cost_gbp) * period.share(ran)
        if ran < period.days:
            day, detail = _switch_off(b, measured)
            evidence.append(
                EvidenceItem(
                    "baseline-server",
                    b.id,
                    f"{detail}; {period.days - ran} of {period.days} days off",
                    day,
                    exact(b.annual_cost_gbp) * period.share(period.days - ran),
                )
            )
    new = [s for s in estate_servers if s.id not in baseline_ids]
    running_now = sum(
        (exact(s.annual_cost_gbp) * period.share(_estate_server_days(period, s, measured)) for s in new),
        Fraction(0),
    )
    actual += running_now
    if new:
        evidence.append(
            EvidenceItem(
                "running-now",
                f"{len(new)} servers of the estate",
                "what the servers running now cost in these days",
                None,
                -running_now,
            )
        )
    return _measured_line(
        "servers", baseline, evidence, "warehouse: days each server reported; estate file: what each costs"
    )


def storage_line(
    period: Period, money: Money, estate_servers: Sequence[Server], measured: Measured
) -> LedgerLine:
    arrays = money.baseline.storage_arrays if money.baseline else ()
    baseline = sum((exact(a.annual_cost_gbp) * period.share(period.days) for a in arrays), Fraction(0))
    evidence, actual = [], Fraction(0)
    for a in arrays:
        retired_days = period.days_on_or_after(a.retired_on)
        actual += exact(a.annual_cost_gbp) * period.share(period.days - retired_days)
        if retired_days:
            evidence.append(
                EvidenceItem(
                    "storage-array",
                    a.id,
                    f"{a.tib:g} TB retired {a.retired_on.isoformat()} (recorded); {retired_days} of "
                    f"{period.days} days retired",
                    a.retired_on,
                    exact(a.annual_cost_gbp) * period.share(retired_days),
                    a.source,
                )
            )
    price = exact(money.cost_model.storage_gbp_per_tib_year)
    gib_days = sum(
        (
            exact(s.storage_gib) * _estate_server_days(period, s, measured)
            for s in estate_servers
            if s.storage_gib
        ),
        Fraction(0),
    )
    provisioned = gib_days / GIB_PER_TIB * price / period.days_in_year
    actual += provisioned
    if provisioned:
        tib = sum(exact(s.storage_gib) for s in estate_servers) / GIB_PER_TIB
        evidence.append(
            EvidenceItem(
                "running-now",
                f"{float(tib):,.1f} TiB provisioned",
                f"storage provisioned on the estate's servers at £{money.cost_model.storage_gbp_per_tib_year} a TiB-year",
                None,
                -provisioned,
            )
        )
    return _measured_line(
        "storage",
        baseline,
        evidence,
        "recorded array retirements; storage provisioned on the estate's servers",
    )


def power_line(
    period: Period, money: Money, estate_servers: Sequence[Server], measured: Measured
) -> LedgerLine:
    model = money.cost_model
    per_day = exact(model.physical_server_watts) * HOURS_A_DAY / 1000 * exact(model.power_gbp_per_kwh)
    baseline_physical = [
        b for b in (money.baseline.servers if money.baseline else ()) if b.kind == "physical"
    ]
    baseline_ids = {b.id for b in (money.baseline.servers if money.baseline else ())}
    baseline = per_day * len(baseline_physical) * period.days
    off_days = 0
    actual = Fraction(0)
    for b in baseline_physical:
        ran = _baseline_server_days(period, b, measured)
        actual += per_day * ran
        off_days += period.days - ran
    new = [s for s in estate_servers if s.kind == "physical" and s.id not in baseline_ids]
    new_days = sum(_estate_server_days(period, s, measured) for s in new)
    actual += per_day * new_days
    evidence = []
    kwh_a_day = exact(model.physical_server_watts) * HOURS_A_DAY / 1000
    if off_days:
        evidence.append(
            EvidenceItem(
                "power",
                "switched-off physical servers",
                f"{float(kwh_a_day * off_days):,.0f} kWh not drawn: {off_days} server-days off "
                "(the servers line names each)",
                None,
                per_day * off_days,
            )
        )
    if new_days:
        evidence.append(
            EvidenceItem(
                "running-now",
                f"{len(new)} physical servers of the estate",
                f"{float(kwh_a_day * new_days):,.0f} kWh drawn in these days",
                None,
                -per_day * new_days,
            )
        )
    return _measured_line(
        "power",
        baseline,
        evidence,
        f"physical servers running x {model.physical_server_watts:g} W x £{model.power_gbp_per_kwh} a kWh",
    )


def recorded_lines(period: Period, money: Money) -> list[LedgerLine]:
    """One line per recorded category of the baseline (its items agree on cashable: the check)."""
    items = money.baseline.items if money.baseline else ()
    categories = list(dict.fromkeys(i.category for i in items))
    lines = []
    for category in categories:
        mine = [i for i in items if i.category == category]
        cashable = mine[0].cashable
        baseline = penny(sum((exact(i.annual_gbp) for i in mine), Fraction(0)) * period.share(period.days))
        recorded = next(
            (
                a
                for a in money.actuals
                if a.financial_year == period.financial_year and a.category == category
            ),
            None,
        )
        evidence = tuple(
            EvidenceItem(
                e.kind,
                e.description,
                f"{e.kind.replace('-', ' ')} {e.effective_from.isoformat()} (recorded); "
                f"{period.days_on_or_after(e.effective_from)} of {period.days} days",
                e.effective_from,
                penny(exact(e.annual_gbp) * period.share(period.days_on_or_after(e.effective_from))),
                e.source,
            )
            for e in money.evidence
            if e.category == category and period.days_on_or_after(e.effective_from)
        )
        if recorded is None:
            lines.append(LedgerLine(category, cashable, NOT_KNOWN, baseline, None, None, evidence))
            continue
        actual = penny(exact(recorded.annual_gbp) * period.share(period.days))
        lines.append(
            LedgerLine(
                category, cashable, RECORDED, baseline, actual, baseline - actual, evidence, recorded.source
            )
        )
    return lines


def measured_ledger(
    period: Period, money: Money, estate_servers: Sequence[Server], measured: Measured
) -> tuple[LedgerLine, ...]:
    """A measured period's lines: the measured categories, then the recorded ones."""
    assert set(MEASURED_CATEGORIES) == {"servers", "storage", "power"}
    return (
        servers_line(period, money, estate_servers, measured),
        storage_line(period, money, estate_servers, measured),
        power_line(period, money, estate_servers, measured),
        *recorded_lines(period, money),
    )


def reported_ledger(financial_year: str, money: Money) -> tuple[LedgerLine, ...]:
    """A year of the savings register: its lines as signed."""
    return tuple(
        LedgerLine(
            r.category,
            r.cashable,
            REPORTED,
            None,
            None,
            exact(r.saving_gbp),
            (
                EvidenceItem(
                    "reported", r.source, f"signed by {r.signed_by}", None, exact(r.saving_gbp), r.source
                ),
            ),
            r.source,
            r.signed_by,
        )
        for r in money.savings_register
        if r.financial_year == financial_year
    )
