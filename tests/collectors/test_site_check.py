"""The `sites` check against a real Prometheus: what is missing named item by item, in a
bounded number of requests; the build read; a site that does not answer; the site's auth on
every request; and its presentation as tables and JSON."""

from __future__ import annotations

import http.server
import json
import re
import socket
import ssl
import subprocess
import threading
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from rich.console import Console

from collectors.prometheus.site_check import FAMILIES, check_site
from collectors.prometheus.utilisation import HOURLY_DEFAULTS
from estate import load_estate
from estate.model import BasicAuth, BearerAuth, Dataset, Endpoint, Server, Tls
from presentation.sites import print_site_checks, site_checks_json
from tests.collectors.fake_prometheus import serve_http
from tests.collectors.prometheus_server import Metric, prometheus_with
from tests.conftest import SMALL_ESTATE, require_program

NOW = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)
N0 = int(NOW.timestamp())
TIMES = range(N0 - 2 * 3600, N0 + 1, 60)
HOUR_BEFORE = "in the hour before 2026-01-05 06:00 UTC"


def gauge(name: str, labels: dict[str, str], value: float = 1.0) -> Metric:
    return Metric(name, labels, [(t, value) for t in TIMES])


def families(exporter: str, instance: str, leave_out: str | None = None) -> list[Metric]:
    """One series of every family the exporter's utilisation queries read, but `leave_out`."""
    return [
        gauge(family, {"instance": instance})
        for by_figure in FAMILIES[exporter].values()
        for family in by_figure
        if family != leave_out
    ]


def server(server_id: str) -> Server:
    return Server(
        id=server_id, site="dc1", role="application", cores=2, memory_gib=4.0, annual_cost_gbp=Decimal("0")
    )


def checked_estate(url: str, **site_settings):
    """The small estate with dc1 at `url`, plus an email endpoint and an email dataset at dc1,
    and three more dc1 servers."""
    estate = load_estate(SMALL_ESTATE)
    sites = tuple(
        s.model_copy(
            update={"prometheus_url": url, "retry_attempts": 1, "auth": None, "tls": None, **site_settings}
        )
        if s.id == "dc1"
        else s
        for s in estate.sites
    )
    services = tuple(
        s.model_copy(
            update={
                "endpoints": (Endpoint(site="dc1", target="https://mail.dc1.example/owa"),),
                "datasets": (Dataset(id="email-db", site="dc1"),),
            }
        )
        if s.id == "email"
        else s
        for s in estate.services
    )
    servers = (*estate.servers, server("dc1-app02"), server("dc1-web03"), server("dc1-win01"))
    return estate.model_copy(update={"sites": sites, "services": services, "servers": servers})


def history() -> list[Metric]:
    return [
        gauge("probe_success", {"instance": "https://ctax.dc1.example/health", "job": "blackbox"}),
        gauge("probe_duration_seconds", {"instance": "https://ctax.dc1.example/health", "job": "blackbox"}),
        gauge(
            "probe_success", {"instance": "https://elsewhere.example/", "job": "blackbox"}
        ),  # not in the estate
        *families("node", "dc1-ctax-app01:9100"),  # everything
        *families("node", "dc1-web03:9100", leave_out="node_filesystem_avail_bytes"),
        *families("windows", "dc1-win01:9182", leave_out="windows_net_bytes_total"),
        *families("node", "dc1-unlisted:9100"),  # not in the estate
        # dc1-app02: nothing at all
        gauge("backup_last_success_timestamp_seconds", {"dataset": "council-tax-db"}, N0 - 3600),
        # council-tax-db is replicated to dc2 but has no replication_lag_seconds; email-db no backups
    ]


@pytest.fixture(scope="module")
def dc1(tmp_path_factory):
    with prometheus_with(history(), tmp_path_factory.mktemp("dc1")) as url:
        yield url


def test_what_is_missing_is_named_item_by_item(dc1):
    check = check_site(checked_estate(dc1), "dc1", now=NOW, environ={})
    assert check.answers and not check.ok and check.problems == ()
    # By hand from history(): of dc1's two endpoints, the email one has no probe; of its four
    # servers (by id: dc1-app02, dc1-ctax-app01, dc1-web03, dc1-win01) dc1-app02 has nothing,
    # dc1-web03 lacks one node family and dc1-win01 one windows family, dc1-ctax-app01 all;
    # council-tax-db has its backups but no lag, email-db no backups.
    assert [m.message for m in check.missing] == [
        f'endpoint email@dc1: no probe_success series with instance="https://mail.dc1.example/owa" {HOUR_BEFORE}',
        "server dc1-app02: no node_exporter or windows_exporter series with "
        f'instance="dc1-app02" (with or without a port) {HOUR_BEFORE}',
        "server dc1-web03: node_exporter series, but no node_filesystem_avail_bytes (storage_percent) with "
        f'instance="dc1-web03" (with or without a port) {HOUR_BEFORE}',
        "server dc1-win01: windows_exporter series, but no windows_net_bytes_total (network_mbps) with "
        f'instance="dc1-win01" (with or without a port) {HOUR_BEFORE}',
        f'dataset council-tax-db: no replication_lag_seconds series with dataset="council-tax-db" {HOUR_BEFORE} '
        "(it is replicated to dc2)",
        f'dataset email-db: no backup_last_success_timestamp_seconds series with dataset="email-db" {HOUR_BEFORE}',
    ]
    assert [(m.kind, m.id, m.metric) for m in check.missing][:2] == [
        ("endpoint", "email@dc1", "probe_success"),
        ("server", "dc1-app02", "node_exporter or windows_exporter"),
    ]
    assert (check.endpoints_checked, check.servers_checked, check.datasets_checked) == (2, 4, 2)
    # bounded whatever the estate's size: the build, two probe requests (successes, and durations
    # since council-tax has a response-time target), one per metric family (7 of node_exporter,
    # 6 of windows_exporter), the backup gauge and the lag gauge
    assert check.requests_made == 1 + 2 + 7 + 6 + 1 + 1


def test_the_build_is_read(dc1):
    # what the binary itself says: "prometheus, version 2.42.0+ds (branch: debian/sid,
    # revision: 2.42.0+ds-5+deb12u1)" and "go version: go1.19.8" on Debian 12
    said = subprocess.run(
        [require_program("prometheus"), "--version"], capture_output=True, text=True, check=True
    )
    output = said.stdout + said.stderr
    version, branch, revision = re.search(
        r"version (\S+) \(branch: (\S+), revision: (\S+)\)", output
    ).groups()
    go = re.search(r"go version:\s+(\S+)", output)[1]
    check = check_site(checked_estate(dc1), "dc1", now=NOW, environ={})
    assert (check.build.version, check.build.revision, check.build.branch, check.build.go_version) == (
        version,
        revision,
        branch,
        go,
    )


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends: nothing listens there


def test_a_site_that_does_not_answer_says_so_without_raising():
    url = f"http://127.0.0.1:{_closed_port()}"
    check = check_site(checked_estate(url), "dc1", now=NOW, environ={})
    assert not check.answers and not check.ok and check.build is None and check.missing == ()
    assert check.error.startswith(
        f"site dc1: {url}/api/v1/status/buildinfo gave no answer after 1 tries: ConnectionError: "
    )
    assert check.requests_made == 1  # nothing else is asked of a site that does not answer


def test_every_request_carries_the_sites_auth_and_a_missing_secret_is_one_message(tmp_path):
    seen: list[tuple[str, str | None]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            seen.append((self.path.split("?")[0], self.headers.get("Authorization")))
            data = (
                {"version": "2.53.0", "revision": "abc", "branch": "HEAD", "goVersion": "go1.22.5"}
                if self.path.startswith("/api/v1/status/buildinfo")
                else []
            )
            body = json.dumps({"status": "success", "data": data}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    token = tmp_path / "token"
    token.write_text("s3cret-token\n", encoding="utf-8")
    with serve_http(Handler) as url:
        basic = checked_estate(
            url, auth=BasicAuth(type="basic", username="councilops", password_env="DC1_PASSWORD")
        )
        check = check_site(basic, "dc1", now=NOW, environ={"DC1_PASSWORD": "pw"})
        asked = len(seen)
        bearer = checked_estate(url, auth=BearerAuth(type="bearer", token_file=str(token)))
        check_site(bearer, "dc1", now=NOW, environ={})
        unset = check_site(basic, "dc1", now=NOW, environ={})
    assert check.answers and check.build.version == "2.53.0" and check.build.go_version == "go1.22.5"
    assert asked == check.requests_made == 18
    assert {auth for _, auth in seen[:asked]} == {"Basic Y291bmNpbG9wczpwdw=="}  # councilops:pw
    assert {auth for _, auth in seen[asked:]} == {"Bearer s3cret-token"}
    assert (
        not unset.answers
        and unset.error == "site dc1: auth.password_env names 'DC1_PASSWORD', which is not set"
    )
    assert "pw" not in repr(check) and "s3cret" not in repr(check)


def test_the_families_checked_are_those_the_utilisation_queries_read():
    # independently of FAMILIES: every metric name in the default hourly queries of each
    # exporter and figure (mean and peak), read out of the query text
    for exporter, by_figure in HOURLY_DEFAULTS.items():
        for figure, queries in by_figure.items():
            named = set(re.findall(r"\b((?:node|windows)_[A-Za-z_]+)\b", " ".join(queries.values())))
            assert named == set(FAMILIES[exporter][figure]), (exporter, figure)


def test_the_checks_print_as_tables_and_json(dc1):
    answering = check_site(checked_estate(dc1), "dc1", now=NOW, environ={})
    silent = check_site(checked_estate(f"http://127.0.0.1:{_closed_port()}"), "dc1", now=NOW, environ={})
    console = Console(record=True, width=220)
    print_site_checks([answering, silent], console=console)
    shown = console.export_text()
    assert "yes, with gaps" in shown and answering.build.version in shown
    for missing in answering.missing:
        assert f"site dc1: {missing.message}" in shown
    assert f"site dc1 does not answer: {silent.error}" in shown
    document = json.loads(site_checks_json([answering, silent]))
    first, second = document["sites"]
    assert first["checked_at_utc"] == "2026-01-05T06:00:00Z" and first["lookback_seconds"] == 3600
    assert first["answers"] is True and first["ok"] is False and len(first["missing"]) == 6
    assert first["missing"][0] == {
        "kind": "endpoint",
        "id": "email@dc1",
        "metric": "probe_success",
        "message": answering.missing[0].message,
    }
    assert second["answers"] is False and second["build"] is None and second["error"] == silent.error


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_the_sites_tls_settings_are_used_and_not_overridden_by_the_environment(tmp_path, monkeypatch):
    openssl = require_program("openssl")

    def certificate(name: str) -> tuple[str, str]:
        cert, key = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
        subprocess.run(
            [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
             "-days", "2", "-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}"],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        return str(cert), str(key)

    cert, key = certificate("prom.example")
    other, _ = certificate("other.example")
    # were requests to take its CA bundle from the environment, as it does unless told, every
    # request would be checked against a bundle that does not sign the site's certificate
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", other)
    monkeypatch.setenv("CURL_CA_BUNDLE", other)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            data = {"version": "3.1.0"} if self.path.startswith("/api/v1/status/buildinfo") else []
            body = json.dumps({"status": "success", "data": data}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"https://127.0.0.1:{server.server_address[1]}"
    try:
        named = check_site(
            checked_estate(url, tls=Tls(ca_file=cert, server_name="prom.example")), "dc1", now=NOW
        )
        unnamed = check_site(checked_estate(url, tls=Tls(ca_file=cert)), "dc1", now=NOW)
        insecure = check_site(checked_estate(url, tls=Tls(insecure_skip_verify=True)), "dc1", now=NOW)
    finally:
        server.shutdown()
        server.server_close()
    # the certificate names prom.example, the URL 127.0.0.1: it verifies only with server_name
    assert named.answers and named.build.version == "3.1.0" and named.problems == ()
    assert not unnamed.answers and "certificate verify failed" in unnamed.error
    assert insecure.answers and insecure.build.version == "3.1.0"


def test_a_web_server_that_is_not_prometheus_does_not_count_as_answering():
    """A plain web server at the site's URL: every API path is a 404 page. That is not a site
    that answers with nothing missing; it is a site that does not answer as Prometheus does."""

    class NotPrometheus(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            body = b"<html><body>404 Not Found</body></html>"
            self.send_response(404)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET  # noqa: N815

        def log_message(self, *args):
            pass

    with serve_http(NotPrometheus) as url:
        check = check_site(checked_estate(url), "dc1", now=NOW, environ={})
    assert check.answers is False and check.ok is False
    assert "answers, but not as a Prometheus HTTP API" in check.error


def test_an_endpoint_with_a_response_time_target_and_no_durations_is_named(tmp_path):
    # council-tax's contract has a 2 s response-time target: its probe without
    # probe_duration_seconds leaves the month's response time without probes
    only_success = [
        gauge("probe_success", {"instance": "https://ctax.dc1.example/health", "job": "blackbox"})
    ]
    with prometheus_with(only_success, tmp_path) as url:
        check = check_site(checked_estate(url), "dc1", now=NOW, environ={})
    endpoints = [m for m in check.missing if m.kind == "endpoint"]
    # (email@dc1 has no probe at all: named for that alone)
    assert [(m.id, m.metric) for m in endpoints] == [
        ("email@dc1", "probe_success"),
        ("council-tax@dc1", "probe_duration_seconds"),
    ]
    assert endpoints[1].message == (
        'endpoint council-tax@dc1: no probe_duration_seconds series with instance="https://ctax.dc1.example/health" '
        f"{HOUR_BEFORE}: its response times cannot be collected"
    )
