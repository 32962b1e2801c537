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
