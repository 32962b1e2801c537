"""A dataset's recovery point age through the month and each site's availability on its own,
checked against what the demo planted (ground-truth.json), worked out here by hand."""

from __future__ import annotations

from datetime import datetime

import pytest

from application.month_detail import HOUR_SECONDS, recovery_point_ages, site_measures
from application.service_levels import month_report
from estate import load_estate
from estate.model import UnknownId
from estate.scope import PROVIDER, Scope
from sla import calendar as cal
from sla.intervals import intersect, normalise, total
from tests.conftest import DEMO_NOW
from warehouse import Warehouse


def seconds(text: str) -> int:
    return cal.utc_seconds(datetime.fromisoformat(text.replace("Z", "+00:00")))


@pytest.fixture(scope="module")
def demo(demo_build):
    paths, truth = demo_build
    with Warehouse.open(paths.warehouse, read_only=True) as warehouse:
        yield load_estate(paths.estate), warehouse, {s["id"]: s for s in truth["scenarios"]}, truth


def hour_of(history, at: int) -> int:
    return (at - history.hour_starts_utc[0]) // HOUR_SECONDS


def test_the_replica_stalls_and_the_age_passes_the_rpo_for_two_hours(demo):
    """finance-db's replica stalled at 05:00Z on 20 October and caught up at 10:45Z; with no
    backup in between, the age grows from 05:00 on: 5 h by 10:00, 5 h 45 min just before 10:45.
    Over the 4 h RPO in the 09:00 and 10:00 hours only (the 08:00 hour ends at exactly 4 h)."""
    estate, warehouse, scenarios, _ = demo
    lag = scenarios["replication-lag-breach"]
    history = recovery_point_ages(estate, warehouse, "2026-10", lag["dataset"], scope=PROVIDER, now=DEMO_NOW)
    start, end = seconds(lag["start_utc"]), seconds(lag["end_utc"])
    # October in London starts at 23:00Z on 30 September, so the hours run on whole UTC hours
    assert history.hour_starts_utc[0] == seconds("2026-09-30T23:00:00Z")
    assert len(history.hour_starts_utc) == 31 * 24 + 1  # the clocks go back on the 25th
    at_nine = hour_of(history, seconds("2026-10-20T09:00:00Z"))
    assert history.highest_age_seconds[at_nine] == 5 * 3600
    assert history.highest_age_seconds[at_nine + 1] == end - start == 5 * 3600 + 45 * 60
    rpo = int(lag["rpo_hours"] * 3600)
    over = [i for i, age in enumerate(history.highest_age_seconds) if age is not None and age > rpo]
    assert over == [at_nine, at_nine + 1]


def test_a_failed_backup_chain_through_the_backups_alone(demo):
    """benefits-db's last good backup before the fault finished at 12:42Z on 8 October and the
    next at 00:31Z on the 12th: just before that, the backups' age is 3 d 11 h 49 min."""
    estate, warehouse, scenarios, _ = demo
    chain = scenarios["failed-backup-chain"]
    history = recovery_point_ages(
        estate, warehouse, "2026-10", chain["dataset"], scope=PROVIDER, now=DEMO_NOW
    )
    last, following = seconds(chain["last_success_before_utc"]), seconds(chain["next_success_after_utc"])
    hour = hour_of(history, following)
    assert history.backup_highest_age_seconds[hour] == following - last == 3 * 86400 + 11 * 3600 + 49 * 60
    # the hour before ends with the chain still broken: its age at that hour's end
    assert history.backup_highest_age_seconds[hour - 1] == history.hour_starts_utc[hour] - last


def test_a_dataset_of_another_council_is_unknown_to_a_council(demo):
    estate, warehouse, _, _ = demo
    service = next(s for s in estate.services if s.datasets and len(s.councils) == 1)
    other = next(c.id for c in estate.councils if c.id not in service.councils)
    with pytest.raises(UnknownId):
        recovery_point_ages(
            estate, warehouse, "2026-10", service.datasets[0].id, scope=Scope(other), now=DEMO_NOW
        )
    with pytest.raises(UnknownId):
        site_measures(estate, warehouse, service.id, [(0, 1)], "exclude", scope=Scope(other))
    # its own council sees it
    own = recovery_point_ages(
        estate, warehouse, "2026-10", service.datasets[0].id, scope=Scope(service.councils[0]), now=DEMO_NOW
    )
    assert own.dataset_id == service.datasets[0].id and any(a is not None for a in own.highest_age_seconds)


def test_each_site_on_its_own_is_down_when_its_planted_faults_fall_in_scheduled_time(demo):
    """October: each site's down time in scheduled time is its endpoint's planted down intervals
    intersected with the contract's scheduled time; a one-site service's site is the service."""
    estate, warehouse, scenarios, truth = demo
    report = month_report(estate, warehouse, "2026-10", scope=PROVIDER, now=DEMO_NOW)
    planted: dict[str, list[tuple[int, int]]] = {}
    for interval in truth["down_intervals"]:
        planted.setdefault(interval["endpoint"], []).append(
            (seconds(interval["start_utc"]), seconds(interval["end_utc"]))
        )
    outage = scenarios["whole-site-outage"]
    seen, whole_site_checked = set(), 0
    for row in report.rows:
        if row.status != "measured" or row.service_id in seen:
            continue
        seen.add(row.service_id)
        scheduled = row.schedule.scheduled
        measures = site_measures(
            estate, warehouse, row.service_id, scheduled, row.contract.unmonitored_policy, scope=PROVIDER
        )
        assert set(measures) == set(row.sites)
        for site, measure in measures.items():
            down = normalise(planted.get(f"{row.service_id}@{site}", []))
            assert measure.down_seconds == total(intersect(down, scheduled)), (row.service_id, site)
            assert measure.scheduled_seconds == total(scheduled)
            assert (
                measure.down_seconds >= row.measure.down_seconds
            )  # the service is down only when every site is
        if len(row.sites) == 1:
            assert measures[row.sites[0]] == row.measure
        if len(row.sites) == 2 and f"{row.service_id}@dc2" in outage["endpoints_down"]:
            window = [(seconds(outage["start_utc"]), seconds(outage["end_utc"]))]
            if total(intersect(window, scheduled)) == outage["duration_seconds"]:
                assert measures["dc2"].down_seconds >= outage["duration_seconds"]
                whole_site_checked += 1
    assert len(seen) > 15 and whole_site_checked > 5
