"""A site's HTTP source: a real Prometheus, and a small fake server for what a real one cannot
be made to do (5xx, slowness, refusals), with auth and headers checked on the server side."""

from __future__ import annotations

import http.server
import time
from contextlib import contextmanager

import pytest

from collectors.prometheus.chunks import Chunk, chunks
from collectors.prometheus.matrix import parse_matrix
from collectors.prometheus.source import PrometheusSource, QueryRefused, SiteUnavailable, SourceConfigError
from estate.model import Site
from tests.collectors.fake_prometheus import serve_http
from tests.collectors.prometheus_server import Metric, prometheus_with

OK = b'{"status":"success","data":{"resultType":"matrix","result":[]}}'


@contextmanager
def fake_prometheus(answers: list[tuple[int, bytes, float]]):
    """Serves the scripted (status, body, delay) answers in turn (the last one repeats) and
    records each request's path and headers."""
    seen: list[dict] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            seen.append({"path": self.path, "headers": dict(self.headers)})
            status, body, delay = answers[min(len(seen), len(answers)) - 1]
            time.sleep(delay)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # the client gave up waiting

        def log_message(self, *args):
            pass

    with serve_http(Handler) as url:
        yield url, seen


def site(url: str, **extra) -> Site:
    return Site(id="dc1", name="Data centre 1", prometheus_url=url, **extra)


CHUNK = Chunk(1_700_000_000, 1_700_003_540, 60)
NO_WAIT = {"sleep": lambda seconds: None}


def test_a_real_prometheus_answers_through_the_source(tmp_path):
    start = 1_767_225_600
    metrics = [Metric("node_load1", {"instance": "s1"}, [(start + 60 * i, float(i % 7)) for i in range(120)])]
    with prometheus_with(metrics, tmp_path) as url:
        source = PrometheusSource.for_site(site(url), environ={})
        (only,) = chunks(start, start + 7200, 60)
        (series,) = parse_matrix(source.range_query("node_load1", only), "dc1 node_load1")
    assert series.values.tolist() == [float(i % 7) for i in range(120)]


def test_a_5xx_is_tried_again_and_then_succeeds():
    with fake_prometheus([(503, b"busy", 0), (502, b"bad gateway", 0), (200, OK, 0)]) as (url, seen):
        source = PrometheusSource.for_site(site(url), environ={}, **NO_WAIT)
        assert source.range_query("up", CHUNK) == OK
    assert len(seen) == 3 and source.attempts_made == 3
    assert seen[0]["headers"]["Accept-Encoding"] == "identity"
    assert "query=up" in seen[0]["path"] and "step=60" in seen[0]["path"]


def test_a_site_that_keeps_failing_is_unavailable_after_its_tries_with_one_clear_message():
    with fake_prometheus([(500, b"internal error", 0)]) as (url, seen):
        source = PrometheusSource.for_site(site(url, retry_attempts=3), environ={}, **NO_WAIT)
        with pytest.raises(SiteUnavailable) as failed:
            source.range_query("up", CHUNK)
    assert len(seen) == 3
    assert str(failed.value).startswith(
        f"site dc1: {url}/api/v1/query_range gave no usable answer after 3 tries"
    )
    assert "HTTP 500" in str(failed.value) and failed.value.cause == "prometheus-unreachable"


def test_a_slow_site_times_out_and_counts_as_unavailable():
    with fake_prometheus([(200, OK, 1.5)]) as (url, seen):
        source = PrometheusSource.for_site(
            site(url, timeout_seconds=0.2, retry_attempts=2), environ={}, **NO_WAIT
        )
        with pytest.raises(SiteUnavailable, match="ReadTimeout"):
            source.range_query("up", CHUNK)
    assert len(seen) == 2


def test_nothing_listening_is_unavailable():
    with fake_prometheus([(200, OK, 0)]) as (url, _):
        pass  # the server is gone: its port refuses connections
    source = PrometheusSource.for_site(site(url, retry_attempts=2), environ={}, **NO_WAIT)
    with pytest.raises(SiteUnavailable, match="ConnectError"):
        source.instant_query("up", 1_700_000_000)


def test_a_refused_query_is_not_retried():
    with fake_prometheus([(400, b'{"status":"error","errorType":"bad_data","error":"parse error"}', 0)]) as (
        url,
        seen,
    ):
        source = PrometheusSource.for_site(site(url), environ={}, **NO_WAIT)
        with pytest.raises(
            QueryRefused, match="site dc1: /api/v1/query_range refused the query \\(HTTP 400\\)"
        ):
            source.range_query("up{", CHUNK)
    assert len(seen) == 1


def test_basic_and_bearer_auth_reach_the_server(tmp_path):
    token = tmp_path / "token"
    token.write_text("s3cret-token\n", encoding="utf-8")
    with fake_prometheus([(200, OK, 0)]) as (url, seen):
        basic = site(url, auth={"type": "basic", "username": "councilops", "password_env": "DC1_PASSWORD"})
        PrometheusSource.for_site(basic, environ={"DC1_PASSWORD": "pw"}).instant_query("up", 1_700_000_000)
        bearer = site(url, auth={"type": "bearer", "token_file": str(token)})
        PrometheusSource.for_site(bearer, environ={}).instant_query("up", 1_700_000_000)
    assert seen[0]["headers"]["Authorization"] == "Basic Y291bmNpbG9wczpwdw=="  # councilops:pw
    assert seen[1]["headers"]["Authorization"] == "Bearer s3cret-token"


def test_a_missing_secret_names_the_site_and_the_key():
    with pytest.raises(
        SourceConfigError, match="site dc1: auth.password_env names 'DC1_PASSWORD', which is not set"
    ):
        PrometheusSource.for_site(
            site(
                "http://127.0.0.1:9", auth={"type": "basic", "username": "u", "password_env": "DC1_PASSWORD"}
            ),
            environ={},
        )


def test_answers_come_in_order_with_several_in_flight():
    """Three requests sent at once to a server that echoes each query, answering the first one
    last (after 0.5 s): the answers still come back in the order asked, and all three were in
    flight together (the server saw all three before it answered the first)."""
    arrived: list[str] = []

    class Echo(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            query = self.path.split("query=")[1].split("&")[0]
            arrived.append(query)
            if query == "q0":
                time.sleep(0.5)
            body = query.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    with serve_http(Echo) as url:
        source = PrometheusSource.for_site(site(url, max_concurrent_queries=3), environ={}, **NO_WAIT)
        requests = [lambda k=k: source.instant_query(f"q{k}", 1_700_000_000) for k in range(3)]
        answers = source.answers(requests)
        first = next(answers)
        assert sorted(arrived) == ["q0", "q1", "q2"]  # all three asked before q0 was answered
        assert [first, *answers] == [b"q0", b"q1", b"q2"]


def test_a_failing_request_among_several_raises_at_its_turn():
    with fake_prometheus([(200, OK, 0.0), (400, b"bad query", 0.0)]) as (url, _):
        source = PrometheusSource.for_site(site(url, max_concurrent_queries=1), environ={}, **NO_WAIT)
        answers = source.answers(
            [lambda: source.instant_query("good", 1), lambda: source.instant_query("bad", 1)]
        )
        assert next(answers) == OK
        with pytest.raises(QueryRefused, match="refused the query"):
            next(answers)
