"""The situations the demo plants for later features to find, at local wall-clock times.

Each is recorded, with what it should lead to, in ground-truth.json next to the warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import holidays

from collectors.demo.timeline import Anchors


@dataclass(frozen=True)
class Outage:
    scenario: str
    description: str
    service_id: str | None  # None: every endpoint at the sites (a whole-site outage)
    sites: tuple[str, ...]
    start_utc: datetime
    end_utc: datetime


@dataclass(frozen=True)
class Gap:
    scenario: str
    description: str
    sites: tuple[str, ...]
    start_utc: datetime
    end_utc: datetime
    cause: str
    service_id: str | None = None  # None: everything collected from the sites
    utilisation_lost: bool = True


@dataclass(frozen=True)
class BackupFailures:
    scenario: str
    description: str
    dataset_id: str
    failed_days_local: tuple[date, ...]  # every run on these days fails


@dataclass(frozen=True)
class LagSpike:
    scenario: str
    description: str
    dataset_id: str
    start_utc: datetime
    peak_utc: datetime
    end_utc: datetime
    peak_lag_seconds: float


@dataclass(frozen=True)
class SlowResponses:
    scenario: str
    description: str
    service_id: str
    start_utc: datetime
    end_utc: datetime
    p95_seconds: float


@dataclass(frozen=True)
class Plan:
    outages: tuple[Outage, ...]
    gaps: tuple[Gap, ...]
    backup_failures: tuple[BackupFailures, ...]
    lag_spikes: tuple[LagSpike, ...]
    slow_responses: tuple[SlowResponses, ...]
    bank_holiday: date


def latest_bank_holiday_monday(anchors: Anchors) -> date:
    """The most recent bank-holiday Monday in a whole month of the history (not this month)."""
    first = anchors.history_start_utc.date()
    last = anchors.month_start_local(0).date() - timedelta(days=1)
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=range(first.year, last.year + 1))
    mondays = sorted(d for d in calendar if first <= d <= last and d.weekday() == 0)
    return mondays[-1]


def build_plan(anchors: Anchors) -> Plan:
    at = anchors.utc
    M1, M2, M3 = -1, -2, -3
    tuesday = anchors.nth_weekday(M1, 1, 2)
    saturday = anchors.nth_weekday(M1, 5, 1)
    sunday = anchors.nth_weekday(M2, 6, 1)
    wednesday = anchors.nth_weekday(M1, 2, 3)
    thursday = anchors.nth_weekday(M1, 3, 4)
    monday = anchors.nth_weekday(M2, 0, 2)
    bank_holiday = latest_bank_holiday_monday(anchors)
    go_live = anchors.new_service_live_local

    outages = (
        Outage(
            "outage-in-service-hours",
            "Council Tax down at both sites for 51 minutes on a Tuesday morning (database lock-up).",
            "council-tax",
            ("dc1", "dc2"),
            at(tuesday, time(10, 12)),
            at(tuesday, time(11, 3)),
        ),
        Outage(
            "outage-outside-service-hours",
            "Business Rates down at both sites early on a Saturday, outside its Mon-Fri service hours.",
            "business-rates",
            ("dc1", "dc2"),
            at(saturday, time(3, 0)),
            at(saturday, time(4, 30)),
        ),
        Outage(
            "outage-half-in-maintenance-window",
            "Email down 05:00-07:00 on the first Sunday; its maintenance window runs 02:00-06:00, "
            "so one hour is maintenance and one hour counts.",
            "email",
            ("dc1", "dc2"),
            at(sunday, time(5, 0)),
            at(sunday, time(7, 0)),
        ),
        Outage(
            "outage-across-month-boundary",
            "Revenues portal (24x7) down from 23:30 on the last day of a month to 00:45 on the first "
            "of the next: 30 minutes in one month, 45 in the other.",
            "revenues-portal",
            ("dc1", "dc2"),
            at(anchors.last_day(M3), time(23, 30)),
            at(anchors.day(M2, 1), time(0, 45)),
        ),
        Outage(
            "whole-site-outage",
            "DC2's load balancers failed for two hours: two-site services stay up at DC1 (degraded), "
            "services that run only at DC2 are down.",
            None,
            ("dc2",),
            at(wednesday, time(13, 0)),
            at(wednesday, time(15, 0)),
        ),
        Outage(
            "outage-on-bank-holiday",
            "Benefits down for an hour on a bank-holiday Monday: inside 08:00-18:00 on the clock, "
            "but outside service hours, which exclude bank holidays.",
            "benefits",
            ("dc1", "dc2"),
            at(bank_holiday, time(10, 0)),
            at(bank_holiday, time(11, 0)),
        ),
        Outage(
            "outage-in-one-off-maintenance",
            "Council Tax at DC1 and DC2 taken down for an agreed one-off maintenance window "
            "(Blackpool's contract), 12:00-13:30 inside the 12:00-14:00 window.",
            "council-tax",
            ("dc1", "dc2"),
            at(anchors.nth_weekday(M1, 2, 2), time(12, 0)),
            at(anchors.nth_weekday(M1, 2, 2), time(13, 30)),
        ),
    )
    gaps = (
        Gap(
            "collection-gap-prometheus-unreachable",
            "DC1's Prometheus was unreachable for three hours overnight: nothing is known of DC1 then.",
            ("dc1",),
            at(thursday, time(1, 0)),
            at(thursday, time(4, 0)),
            "prometheus-unreachable",
        ),
        Gap(
            "collection-gap-collector-stopped",
            "The collector was stopped for two hours and the data aged out of Prometheus before it ran again.",
            ("dc1", "dc2"),
            at(monday, time(19, 0)),
            at(monday, time(21, 0)),
            "collector-not-running",
        ),
        Gap(
            "probe-not-deployed",
            f"{anchors.new_service_id} went live on the 15th but its probes were deployed two days later.",
            ("dc1", "dc2"),
            go_live.astimezone(anchors.now_utc.tzinfo),
            at(go_live.date() + timedelta(days=2), time(11, 0)),
            "probe-not-deployed",
            service_id=anchors.new_service_id,
            utilisation_lost=False,
        ),
    )
    failures = (
        BackupFailures(
            "failed-backup-chain",
            "Every Benefits database backup failed for three days running (a full repository), "
            "breaching its 24-hour RPO.",
            "benefits-db",
            tuple(anchors.day(M1, d) for d in (9, 10, 11)),
        ),
    )
    spikes = (
        LagSpike(
            "replication-lag-breach",
            "Finance replication to DC2 fell 5.5 hours behind (RPO 4 hours) after a WAN link fault.",
            "finance-db",
            at(anchors.day(M1, 20), time(6, 0)),
            at(anchors.day(M1, 20), time(11, 30)),
            at(anchors.day(M1, 20), time(11, 45)),
            5.5 * 3600,
        ),
        LagSpike(
            "replication-lag-within-rpo",
            "Directory replication fell two hours behind, within its 4-hour RPO.",
            "directory-db",
            at(anchors.day(M2, 5), time(9, 0)),
            at(anchors.day(M2, 5), time(11, 0)),
            at(anchors.day(M2, 5), time(11, 15)),
            2 * 3600,
        ),
    )
    slow = (
        SlowResponses(
            "slow-responses",
            "Planning answered slowly for a week (p95 3.5 s against a 2 s target) after an upgrade.",
            "planning",
            at(anchors.day(M1, 4), time(0, 0)),
            at(anchors.day(M1, 11), time(0, 0)),
            3.5,
        ),
    )
    return Plan(outages, gaps, failures, spikes, slow, bank_holiday)
