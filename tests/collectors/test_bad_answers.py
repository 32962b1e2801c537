"""Bad answers a real Prometheus cannot be made to send, from a small fake server, through the
whole collection: the bad part is refused with its cause, the other site and the other kinds of
data are still collected, nothing wrong is written, and a later good answer fills the gap."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from collectors.prometheus.source import PrometheusSource
from collectors.run import collect
from estate import load_estate
from estate.scope import PROVIDER
from tests.collectors.fake_prometheus import fake_site
from tests.conftest import SMALL_ESTATE

START = datetime(2026, 1, 5, 0, 0, tzinfo=UTC)
END = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
S0 = int(START.timestamp())
NAIVE_START, NAIVE_END = START.replace(tzinfo=None), END.replace(tzinfo=None)
CTAX_DC1 = "https://ctax.dc1.example/health"


ESTATE = load_estate(SMALL_ESTATE)


@pytest.fixture(scope="module")
def estate():
    return ESTATE


def at(estate, urls: dict[str, str]):
    sites = tuple(
        s.model_copy(update={"prometheus_url": urls[s.id], "retry_attempts": 1, "auth": None, "tls": None})
        for s in estate.sites
    )
    return estate.model_copy(update={"sites": sites})


def no_wait(site):
    return PrometheusSource.for_site(site, environ={}, sleep=lambda seconds: None)


def run(estate, warehouse, tamper=None, spoil=None):
    """Collect START..END from dc1 (answering as told) and dc2 (answering well)."""
    with fake_site(estate, "dc1", tamper, spoil) as dc1, fake_site(estate, "dc2") as dc2:
        summaries = collect(
            at(estate, {"dc1": dc1, "dc2": dc2}),
            warehouse,
            since=START,
            until=END,
            source_for=no_wait,
            scope=PROVIDER,
        )
    return {(s.site_id, s.kind): s for s in summaries}


def intervals(warehouse, site_id):
    rows = warehouse.availability_intervals(site_id, START, END).sort("endpoint_id", "start_utc")
    return [
        (r["endpoint_id"], r["start_utc"], r["end_utc"], r["state"], r["cause"])
        for r in rows.iter_rows(named=True)
    ]


def hourly(warehouse, site_id):
    """Every hourly utilisation row of the site's servers in the window, all metrics."""
    servers = [s.id for s in ESTATE.servers if s.site == site_id]
    return [
        row
        for metric in ("cpu_percent", "memory_percent", "storage_percent", "network_mbps")
        for row in warehouse.utilisation(servers, metric, 3600, START, END).iter_rows()
    ]


def endpoint_ids(estate, site_id):
    return sorted(f"{s.id}@{site_id}" for s in estate.services for e in s.endpoints if e.site == site_id)


def probes_only(change):
    return lambda kind, body: change(body) if kind == "probe" else body


def millisecond_times(kind, result):
    if kind == "probe":
        for series in result:
            series["values"] = [[t * 1000, v] for t, v in series["values"]]
    return result


WHOLE_ANSWER_SPOILT = {
    "not JSON": (
        dict(spoil=probes_only(lambda body: b"<html>502 Bad Gateway</html>")),
        "the answer is not JSON",
    ),
    "cut off mid-answer": (
        dict(spoil=probes_only(lambda body: body[: len(body) // 2])),
        "the answer is not JSON",
    ),
    "an error with status 200": (
        dict(
            spoil=probes_only(
                lambda body: (
                    b'{"status":"error","errorType":"execution","error":"query processing would load too many samples"}'
                )
            )
        ),
        "the server answered execution: query processing would load too many samples",
    ),
    "milliseconds for seconds": (dict(tamper=millisecond_times), "milliseconds instead of seconds?"),
}


@pytest.mark.parametrize("case", WHOLE_ANSWER_SPOILT)
def test_a_spoilt_probe_answer_is_unmonitored_and_nothing_else_stops(estate, warehouse, case):
    how, message = WHOLE_ANSWER_SPOILT[case]
    summaries = run(estate, warehouse, **how)
    bad = summaries[("dc1", "availability")]
    assert bad.status == "bad answer" and message in bad.message and "site dc1, probe_success" in bad.message
    # every dc1 endpoint unmonitored for the whole window, with the cause; the watermark stays
    assert intervals(warehouse, "dc1") == [
        (endpoint, NAIVE_START, NAIVE_END, "unmonitored", "prometheus-bad-answer")
        for endpoint in endpoint_ids(estate, "dc1")
    ]
    assert warehouse.watermark("dc1", "availability") is None
    # the other site, and dc1's other kinds of data, were collected in full
    assert all(s.status == "ok" for key, s in summaries.items() if key != ("dc1", "availability"))
    assert {row[3] for row in intervals(warehouse, "dc2")} == {"up"}
    assert warehouse.watermark("dc1", "utilisation") == NAIVE_END
    # the site answers well again: the next run asks for the window again and fills it
    again = run(estate, warehouse)
    assert again[("dc1", "availability")].status == "ok"
    assert intervals(warehouse, "dc1") == [
        (endpoint, NAIVE_START, NAIVE_END, "up", None) for endpoint in endpoint_ids(estate, "dc1")
    ]


def test_probe_values_that_are_not_0_or_1_are_refused_and_their_time_unmonitored(estate, warehouse):
    def spoil_two(kind, result):
        if kind == "probe":
            for series in result:
                if series["metric"]["instance"] == CTAX_DC1:
                    for pair in series["values"]:
                        if pair[0] == S0 + 30 * 60:
                            pair[1] = "NaN"
                        if pair[0] == S0 + 50 * 60:
                            pair[1] = "2"
        return result

    summaries = run(estate, warehouse, tamper=spoil_two)
    assert summaries[("dc1", "availability")].status == "ok"
    assert summaries[("dc1", "availability")].gaps == 2
    # With one-minute probes, the sample at 00:29 is followed 120 s later by the next good one
    # (00:31): more than 1.5 intervals, so it stands for one minute, to 00:30, and 00:30-00:31
    # is unmonitored, the refused sample's time. The same at 00:50.
    minute = lambda m: datetime(2026, 1, 5, m // 60, m % 60)  # noqa: E731
    ctax = [row[1:] for row in intervals(warehouse, "dc1") if row[0] == "council-tax@dc1"]
    assert ctax == [
        (minute(0), minute(30), "up", None),
        (minute(30), minute(31), "unmonitored", "prometheus-bad-answer"),
        (minute(31), minute(50), "up", None),
        (minute(50), minute(51), "unmonitored", "prometheus-bad-answer"),
        (minute(51), minute(120), "up", None),
    ]
    assert endpoint_ids(estate, "dc1") == ["council-tax@dc1"]  # the small estate's only one


def test_a_series_without_the_endpoint_label_is_no_samples_for_that_endpoint(estate, warehouse):
    def drop_label(kind, result):
        if kind == "probe":
            for series in result:
                if series["metric"]["instance"] == CTAX_DC1:
                    series["metric"] = {"job": "blackbox"}
        return result

    summaries = run(estate, warehouse, tamper=drop_label)
    assert summaries[("dc1", "availability")].status == "ok"
    rows = intervals(warehouse, "dc1")
    assert [row for row in rows if row[0] == "council-tax@dc1"] == [
        ("council-tax@dc1", NAIVE_START, NAIVE_END, "unmonitored", "no-samples")
    ]
    assert {row[3] for row in intervals(warehouse, "dc2")} == {"up"}


def test_a_spoilt_utilisation_answer_writes_nothing_and_the_window_waits(estate, warehouse):
    spoil = lambda kind, body: body[:-10] if kind == "utilisation" else body  # noqa: E731
    summaries = run(estate, warehouse, spoil=spoil)
    bad = summaries[("dc1", "utilisation")]
    assert bad.status == "bad answer" and "site dc1, cpu_percent mean" in bad.message
    assert warehouse.watermark("dc1", "utilisation") is None
    assert hourly(warehouse, "dc1") == []
    assert (
        summaries[("dc2", "utilisation")].status == "ok" and summaries[("dc1", "availability")].status == "ok"
    )
    again = run(estate, warehouse)
    assert again[("dc1", "utilisation")].status == "ok"
    servers = [s.id for s in estate.servers if s.site == "dc1"]
    assert len(hourly(warehouse, "dc1")) == len(servers) * 4 * 2  # metrics x hours


def test_a_non_finite_hourly_value_is_refused_for_that_hour_only(estate, warehouse):
    def nan_once(kind, result):
        if kind == "utilisation" and result:
            result[0]["values"][0][1] = "+Inf"
        return result

    summaries = run(estate, warehouse, tamper=nan_once)
    summary = summaries[("dc1", "utilisation")]
    assert summary.status == "ok"
    servers = [s.id for s in estate.servers if s.site == "dc1"]
    # the first server's first hour is refused for each of the four metrics (mean and peak
    # queries are spoilt alike; an hour needs both)
    assert summary.gaps == 4
    rows = hourly(warehouse, "dc1")
    assert len(rows) == len(servers) * 4 * 2 - 4
    assert {(row[4], row[5]) for row in rows} == {(20.0, 30.0)}  # nothing else written


def test_an_answer_whose_series_have_no_metric_name_is_a_bad_answer(estate, warehouse):
    # probe_success and probe_duration_seconds come in one answer, told apart by __name__: a
    # server that drops it leaves no way to tell a success of 1 from a 1 s probe
    def drop_names(kind, result):
        if kind == "probe":
            for series in result:
                series["metric"].pop("__name__")
        return result

    run(estate, warehouse)  # a good answer first: every dc1 probe 0.25 s
    held = warehouse.probe_duration_arrays(START, END)
    assert len(held["council-tax"]["ticks"]) > 0 and set(held["council-tax"]["ticks"].tolist()) == {25}
    summaries = run(estate, warehouse, tamper=drop_names)
    bad = summaries[("dc1", "availability")]
    assert bad.status == "bad answer"
    assert (
        "has no metric name None, so probe_success cannot be told from probe_duration_seconds" in bad.message
    )
    # the response times measured before are kept, not replaced by less
    after = warehouse.probe_duration_arrays(START, END)
    assert {k: {n: a.tolist() for n, a in v.items()} for k, v in after.items()} == {
        k: {n: a.tolist() for n, a in v.items()} for k, v in held.items()
    }


def test_an_answer_without_durations_keeps_the_response_times_held(estate, warehouse):
    # a site that stops sending probe_duration_seconds (a relabelling that drops it, say) still
    # answers for availability; the durations measured before are not replaced by nothing
    def drop_durations(kind, result):
        if kind == "probe":
            return [s for s in result if s["metric"]["__name__"] != "probe_duration_seconds"]
        return result

    run(estate, warehouse)
    held = warehouse.probe_duration_arrays(START, END)
    summaries = run(estate, warehouse, tamper=drop_durations)
    assert summaries[("dc1", "availability")].status == "ok"
    assert summaries[("dc1", "availability")].responses == 0 < summaries[("dc2", "availability")].responses
    after = warehouse.probe_duration_arrays(START, END)
    assert {k: {n: a.tolist() for n, a in v.items()} for k, v in after.items()} == {
        k: {n: a.tolist() for n, a in v.items()} for k, v in held.items()
    }
    assert {row[3] for row in intervals(warehouse, "dc1")} == {"up"}


def test_probes_faster_than_the_configured_interval_keep_one_a_slot_and_say_so(estate, warehouse):
    # council-tax@dc1 is configured at 60 s; the site here probes it every 20 s as well
    def every_twenty_seconds(kind, result):
        if kind == "probe":
            for series in result:
                if series["metric"]["instance"] == CTAX_DC1:
                    last = series["values"][-1][0]  # no sample past the time asked for
                    series["values"] = [
                        [t + d, v] for t, v in series["values"] for d in (0, 20, 40) if t + d <= last
                    ]
        return result

    summaries = run(estate, warehouse, tamper=every_twenty_seconds)
    dc1 = summaries[("dc1", "availability")]
    assert dc1.status == "ok"
    # by hand: dc1's two hours are 120 one-minute slots, each kept once (its 20 s and 40 s probes
    # are the doubles); dc2's endpoint, configured and probed at 30 s, 240 slots
    held = warehouse.probe_duration_arrays(START, END)["council-tax"]
    assert len(held["instants"]) == 120 + 240
    (note,) = [n for n in dc1.notes if "not kept" in n]
    assert note.endswith(
        "probe duration(s) not kept: they fell in a slot another probe already filled "
        "(does the site probe more often than the endpoint's probe_interval_seconds?)"
    )
