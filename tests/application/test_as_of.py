"""One as-of for every answer: what is asked for, but never past what has been collected."""

from __future__ import annotations

from datetime import timedelta

from application.service_levels import month_report
from estate import load_estate
from estate.scope import PROVIDER, Scope
from tests.conftest import DEMO_NOW
from warehouse import Warehouse


def test_an_as_of_past_the_collection_is_the_collection(demo_build):
    # The demo is collected to DEMO_NOW (2026-11-22 10:00 UTC). Asked as of ten days later, the
    # month is evaluated to DEMO_NOW: the ten days since would otherwise count as unmonitored,
    # and every backup as ten days older (invented RPO breaches).
    paths, _ = demo_build
    estate = load_estate(paths.estate)
    with Warehouse.open(paths.warehouse, read_only=True) as warehouse:
        later = month_report(
            estate, warehouse, "2026-11", scope=Scope.council("wyre"), as_of=DEMO_NOW + timedelta(days=10)
        )
        now = month_report(estate, warehouse, "2026-11", scope=Scope.council("wyre"), as_of=DEMO_NOW)
    assert later.as_of_utc == DEMO_NOW
    assert [(r.service_id, r.measure, r.rpo) for r in later.rows] == [
        (r.service_id, r.measure, r.rpo) for r in now.rows
    ]


def test_a_month_not_yet_begun_says_so(demo_build):
    paths, _ = demo_build
    estate = load_estate(paths.estate)
    with Warehouse.open(paths.warehouse, read_only=True) as warehouse:
        report = month_report(estate, warehouse, "2027-01", scope=PROVIDER, now=DEMO_NOW)
    statuses = {r.status for r in report.rows}
    assert statuses <= {"not-begun", "no-contract"} and "not-begun" in statuses
    assert all(c.services_total == 0 and c.headline == "0 of 0 services met target" for c in report.councils)


def test_site_loss_and_consolidation_over_a_window_with_no_measurements_claim_nothing(demo_build):
    # A tester asked site-loss as of a day before the history began: it said "fits: yes" for
    # every pool, from demand of zero, and consolidation freed 25 hosts on no evidence.
    from datetime import UTC, datetime

    from application.consolidation import consolidation_report
    from application.site_loss import site_loss_report

    paths, _ = demo_build
    estate = load_estate(paths.estate)
    before_history = datetime(2020, 1, 1, tzinfo=UTC)
    with Warehouse.open(paths.warehouse, read_only=True) as warehouse:
        loss = site_loss_report(estate, warehouse, scope=PROVIDER, now=before_history)
        plan = consolidation_report(estate, warehouse, scope=PROVIDER, now=before_history)
        measured = site_loss_report(estate, warehouse, scope=PROVIDER, now=DEMO_NOW)
    assert (loss.checks, loss.measured_hours, loss.window_hours) == ((), 0, 90 * 24)
    assert (plan.plans, plan.at_allocated_size, plan.measured_servers) == ((), (), 0)
    assert plan.hosts_freed == 0 and plan.hosts_avoided_by_right_sizing == 0 and plan.findings == ()
    assert len(plan.unmeasured_servers) == len([s for s in estate.servers if s.kind == "virtual"])
    # over the demo's last 90 days every hour was measured but the two when the collector was
    # stopped at both sites (ground truth: collection-gap-collector-stopped, 14 September 18:00-20:00)
    assert measured.window_hours == 2160 and measured.measured_hours == 2158 and len(measured.checks) == 4


def test_a_month_in_progress_is_never_said_to_be_met(demo_build):
    # The demo's clock stops on 22 November: November is in progress, October is over.
    from presentation.sla import as_json

    paths, _ = demo_build
    estate = load_estate(paths.estate)
    with Warehouse.open(paths.warehouse, read_only=True) as warehouse:
        november = month_report(estate, warehouse, "2026-11", scope=Scope.council("wyre"), now=DEMO_NOW)
        october = month_report(estate, warehouse, "2026-10", scope=Scope.council("wyre"), now=DEMO_NOW)
    (wyre,) = november.councils
    assert not wyre.month_complete
    assert wyre.headline == (
        f"{wyre.services_met} of {wyre.services_measured} services on target so far (month in progress)"
    )
    assert '"month_complete": false' in as_json(november)
    (done,) = october.councils
    assert done.month_complete and done.headline.endswith("services met target")
