"""Every application function applies the caller's scope where the rows are read: a council-
scoped call reads no row of a service, endpoint, dataset or server that is not the council's,
returns nothing of another council, and a whole-estate question is refused before any read.

The proof is a spy around the demo warehouse that records every frame and array each read
returns and checks each id column against the council's own ids, worked out here from the
estate file independently of estate.scope."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import polars as pl
import pytest

from application.consolidation import consolidation_report
from application.inventory import inventory_reconciliation
from application.profile import profile_report
from application.savings import savings_report
from application.service_levels import month_report
from application.site_loss import site_loss_report
from application.status import warehouse_status
from application.timeleft import timeleft_report
from application.underuse import underuse_report
from estate import load_estate
from estate.model import UnknownId
from estate.scope import PROVIDER, OutOfScope, Scope
from tests.conftest import DEMO_NOW
from warehouse import Warehouse

MONTH = "2026-10"  # the demo's last complete month before DEMO_NOW


class Spy:
    """The warehouse, with every read's result recorded (method, result)."""

    def __init__(self, warehouse: Warehouse):
        self._warehouse = warehouse
        self.reads: list[tuple[str, object]] = []

    def __getattr__(self, name: str):
        attribute = getattr(self._warehouse, name)
        if not callable(attribute):
            return attribute

        def recorded(*args, **kwargs):
            result = attribute(*args, **kwargs)
            self.reads.append((name, result))
            return result

        return recorded


def own_ids(estate, council_id: str) -> dict[str, set[str]]:
    """The ids a council may read, from the estate file: the services that list it, their
    endpoints (service@site) and datasets, and the servers that run any of those services."""
    services = {s.id for s in estate.services if council_id in s.councils}
    return {
        "service_id": services,
        "endpoint_id": {f"{s.id}@{e.site}" for s in estate.services if s.id in services for e in s.endpoints},
        "dataset_id": {d.id for s in estate.services if s.id in services for d in s.datasets},
        "server_id": {v.id for v in estate.servers if set(v.services) & services},
    }


def ids_read(reads) -> dict[str, set[str]]:
    """Every id each read handed back, by the kind of id (frames by column; arrays by key)."""
    seen: dict[str, set[str]] = {
        "service_id": set(),
        "endpoint_id": set(),
        "dataset_id": set(),
        "server_id": set(),
    }
    array_keys = {
        "probe_p95_arrays": "service_id",
        "probe_duration_arrays": "service_id",
        "probe_day_arrays": "service_id",
        "replication_lag_arrays": "dataset_id",
    }
    for name, result in reads:
        if isinstance(result, pl.DataFrame):
            for column in seen:
                if column in result.columns:
                    seen[column] |= set(result[column].drop_nulls().to_list())
        elif name in array_keys:
            seen[array_keys[name]] |= set(result)
    return seen


@pytest.fixture(scope="module")
def demo(demo_build):
    paths, _ = demo_build
    estate = load_estate(paths.estate)
    with Warehouse.open(paths.warehouse, read_only=True) as warehouse:
        yield estate, warehouse


def councils_of(estate):
    return [c.id for c in estate.councils]


def test_every_council_reads_and_gets_only_its_own_service_levels(demo):
    estate, warehouse = demo
    everything = month_report(estate, warehouse, MONTH, scope=PROVIDER, now=DEMO_NOW)
    assert {r.council_id for r in everything.rows} == set(councils_of(estate))  # seven councils
    for council_id in councils_of(estate):
        spy = Spy(warehouse)
        report = month_report(estate, spy, MONTH, scope=Scope.council(council_id), now=DEMO_NOW)
        own = own_ids(estate, council_id)
        assert report.rows, council_id  # each demo council buys services
        assert {r.council_id for r in report.rows} == {council_id}
        assert [c.council_id for c in report.councils] == [council_id]
        assert {r.service_id for r in report.rows} <= own["service_id"]
        read = ids_read(spy.reads)
        assert read["endpoint_id"], council_id  # it did read its own availability
        for kind, ids in read.items():
            assert ids <= own[kind], (council_id, kind, sorted(ids - own[kind])[:5])
        # and its rows are the same figures the provider's call gives for that council
        theirs = [r for r in everything.rows if r.council_id == council_id]
        assert [(r.service_id, r.measure, r.credit_gbp) for r in report.rows] == [
            (r.service_id, r.measure, r.credit_gbp) for r in theirs
        ]


def test_a_shared_service_is_read_for_each_council_that_buys_it_and_not_for_one_that_does_not(demo):
    estate, warehouse = demo
    shared = next(
        s for s in estate.services if len(s.councils) > 1 and len(s.councils) < len(estate.councils)
    )
    outsider = next(c.id for c in estate.councils if c.id not in shared.councils)
    spy = Spy(warehouse)
    month_report(estate, spy, MONTH, scope=Scope.council(outsider), now=DEMO_NOW)
    assert shared.id not in ids_read(spy.reads)["service_id"]
    spy = Spy(warehouse)
    month_report(estate, spy, MONTH, scope=Scope.council(shared.councils[0]), now=DEMO_NOW)
    assert {f"{shared.id}@{site}" for site in shared.sites} <= ids_read(spy.reads)["endpoint_id"]


def dedicated_servers(estate, council_id: str) -> set[str]:
    """Servers every one of whose services is bought by this council alone (by hand, from the file)."""
    alone = {s.id for s in estate.services if list(s.councils) == [council_id]}
    return {v.id for v in estate.servers if v.services and set(v.services) <= alone}


def test_under_use_for_a_council_judges_only_its_dedicated_servers(demo):
    estate, warehouse = demo
    listed_somewhere = 0
    for council_id in councils_of(estate):
        spy = Spy(warehouse)
        report = underuse_report(estate, spy, scope=Scope.council(council_id), now=DEMO_NOW)
        mine = dedicated_servers(estate, council_id)
        assert {v.server_id for v in report.verdicts} == mine
        assert ids_read(spy.reads)["server_id"] <= mine
        listed_somewhere += len(mine)
    assert listed_somewhere > 0  # the demo has dedicated servers to judge


def test_profiles_a_council_may_ask_for_and_those_it_may_not(demo):
    estate, warehouse = demo
    council_id = "wyre"
    own = own_ids(estate, council_id)
    spy = Spy(warehouse)
    mine = profile_report(estate, spy, "council", council_id, scope=Scope.council(council_id), now=DEMO_NOW)
    assert mine.servers > 0
    assert ids_read(spy.reads)["server_id"] <= own["server_id"]
    # the provider asking the same question gets the same figures
    provider = profile_report(estate, warehouse, "council", council_id, scope=PROVIDER, now=DEMO_NOW)
    # the same figures: DuckDB's parallel float sums may differ in the last bit between two runs
    for ours, theirs in zip(mine.resources, provider.resources, strict=True):
        assert ours.all_hours.hours == theirs.all_hours.hours
        assert ours.all_hours.percentiles == pytest.approx(theirs.all_hours.percentiles, rel=1e-12)
    other = next(c.id for c in estate.councils if c.id != council_id)
    foreign_service = next(s.id for s in estate.services if council_id not in s.councils)
    foreign_server = next(v.id for v in estate.servers if v.id not in dedicated_servers(estate, council_id))
    for kind, subject in (
        ("council", other),
        ("service", foreign_service),
        ("server", foreign_server),
        ("site", estate.sites[0].id),
    ):
        spy = Spy(warehouse)
        with pytest.raises(UnknownId) as refused:
            profile_report(estate, spy, kind, subject, scope=Scope.council(council_id), now=DEMO_NOW)
        assert f"no {kind} {subject!r}" in refused.value.args[0]
        assert subject not in refused.value.args[0].split("known: ")[1]  # names only what it may see
        assert spy.reads == []


@pytest.mark.parametrize(
    "ask",
    [
        lambda e, w, s: timeleft_report(e, w, scope=s, now=DEMO_NOW),
        lambda e, w, s: site_loss_report(e, w, scope=s, now=DEMO_NOW),
        lambda e, w, s: consolidation_report(e, w, scope=s, now=DEMO_NOW),
        lambda e, w, s: savings_report(e, w, scope=s, now=DEMO_NOW),
        lambda e, w, s: warehouse_status(w, scope=s, now=DEMO_NOW),
        lambda e, w, s: inventory_reconciliation(e, w, scope=s),
    ],
    ids=["timeleft", "site-loss", "consolidation", "savings", "status", "inventory"],
)
def test_whole_estate_questions_are_refused_to_a_council_before_any_read(demo, ask):
    estate, warehouse = demo
    for council_id in councils_of(estate):
        spy = Spy(warehouse)
        with pytest.raises(OutOfScope):
            ask(estate, spy, Scope.council(council_id))
        assert spy.reads == []
    assert ask(estate, warehouse, PROVIDER) is not None  # the provider's roles get an answer


def test_a_scope_naming_no_council_is_refused_naming_it(demo):
    estate, warehouse = demo
    spy = Spy(warehouse)
    with pytest.raises(UnknownId, match="no council 'nowhere'"):
        month_report(estate, spy, MONTH, scope=Scope.council("nowhere"), now=DEMO_NOW)
    assert spy.reads == []


def test_every_demo_server_has_a_profile(demo):
    """`capacity profile` for each of the demo's 165 servers, including the 27 that run no
    service (and so have no service hours: their service-hours profile is absent, not an error)."""
    estate, warehouse = demo
    serviceless = 0
    for server in estate.servers:
        answer = profile_report(estate, warehouse, "server", server.id, scope=PROVIDER, now=DEMO_NOW)
        assert answer.servers == 1
        cpu = answer.resource("cpu")
        assert cpu.all_hours.hours > 0, server.id
        assert answer.to_utc - answer.from_utc == timedelta(days=90)
        if not server.services:
            serviceless += 1
            assert cpu.service_hours is None
            assert answer.service_hours_from == ()
        values = np.array([v for v in cpu.all_hours.percentiles.values()], dtype=float)
        assert np.all(np.diff(values) >= 0)  # p50 <= p95 <= p99
    assert len(estate.servers) == 165 and serviceless == 27


def test_a_collection_run_is_refused_to_a_council_before_any_site_is_asked(demo):
    from collectors.run import collect

    estate, warehouse = demo
    asked, spy = [], Spy(warehouse)
    with pytest.raises(OutOfScope):
        collect(estate, spy, source_for=lambda site: asked.append(site), scope=Scope.council("wyre"))
    assert asked == [] and spy.reads == []
