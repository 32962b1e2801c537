"""A small fake Prometheus for what a real one cannot be made to send: answers cut off, not
JSON, NaN probe results, millisecond times, series without the labels the estate needs.

It answers the collectors' own queries for one site of an estate: the probes' query (`probe_success`
and `probe_duration_seconds` over [Ns]) at t with a sample at every multiple of each endpoint's
probe interval, every one up and 0.25 s long (the durations after all the successes); the utilisation range queries with a
mean of 20 and a peak of 30 for each server at every step; everything else with no series.
`tamper(kind, result)` may change the series before they are written out, and `spoil(kind,
body)` the bytes after; kind is `probe`, `utilisation` or `other`.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

from collectors.prometheus.availability import QUERY as PROBES_QUERY
from collectors.prometheus.utilisation import hourly_queries
from estate.model import Estate

Tamper = Callable[[str, list[dict]], list[dict]]
Spoil = Callable[[str, bytes], bytes]


def _matrix(result: list[dict]) -> bytes:
    return json.dumps({"status": "success", "data": {"resultType": "matrix", "result": result}}).encode()


def answer_for(estate: Estate, site_id: str, path: str, params: dict[str, str]) -> tuple[str, list[dict]]:
    query = params.get("query", "")
    if path.endswith("/query") and query.startswith(PROBES_QUERY + "["):
        at = int(float(params["time"]))
        reach = int(query[len(PROBES_QUERY) + 1 : -len("s]")])
        endpoints = [e for s in estate.services for e in s.endpoints if e.site == site_id]
        return "probe", [
            {
                "metric": {"__name__": name, "instance": e.target, "job": "blackbox"},
                "values": [
                    [t, value] for t in range(at - reach, at + 1) if t % e.probe_interval_seconds == 0
                ],
            }
            for name, value in (("probe_success", "1"), ("probe_duration_seconds", "0.25"))
            for e in endpoints
        ]
    if path.endswith("/query_range"):
        start, end, step = (int(float(params[k])) for k in ("start", "end", "step"))
        peaks = {queries["peak"] for queries in hourly_queries(estate.collection).values()}
        value = "30" if query in peaks else "20"
        servers = [s.id for s in estate.servers if s.site == site_id]
        return "utilisation", [
            {
                "metric": {"instance": f"{server}:9100"},
                "values": [[t, value] for t in range(start, end + 1, step)],
            }
            for server in servers
        ]
    return "other", []


@contextmanager
def fake_site(
    estate: Estate, site_id: str, tamper: Tamper | None = None, spoil: Spoil | None = None
) -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            parts = urlsplit(self.path)
            params = {k: v[0] for k, v in parse_qs(parts.query).items()}
            kind, result = answer_for(estate, site_id, parts.path, params)
            if tamper:
                result = tamper(kind, result)
            body = _matrix(result)
            if spoil:
                body = spoil(kind, body)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    with serve_http(Handler) as url:
        yield url


@contextmanager
def serve_http(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve `handler` on a free 127.0.0.1 port in a thread; yield the base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
