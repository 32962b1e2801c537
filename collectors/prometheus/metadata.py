"""Small metadata queries to a site, through prometheus-api-client's `PrometheusConnect`.

The `sites` check and server discovery ask a site a handful of small questions (its build,
which label values a metric family has, which series a selector matches, an instant vector
per exporter), each one request whatever the size of the estate. They go through
prometheus-api-client with the site's auth, TLS, timeout and retries from the estate; the
measured bulk path (availability, utilisation, recovery) stays on httpx in `source`
(docs/dependencies.md says why).

Every answer is checked for the shape the API documents and for its size: more than `limit`
series or values is refused (`TooManySeries`), never half used. A site that does not answer
after the site's `retry_attempts` is `NotAnswering`; an answer that is refused or cannot be
used is `BadAnswer`. Each message names the site and the request.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TypeVar

import requests
from prometheus_api_client import PrometheusApiClientException
from prometheus_api_client.prometheus_connect import PrometheusConnect
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from collectors.prometheus.credentials import credentials_for, tls_settings
from estate.model import Site

RETRY_ON_STATUS = (429, 500, 502, 503, 504)
SHOWN = 300  # characters of an answer or an error quoted in a message

T = TypeVar("T")


class MetadataError(RuntimeError):
    """A metadata request that gave nothing usable; the message names the site and the request."""


class NotAnswering(MetadataError):
    """No answer after every try (refused, timed out, 5xx or 429 each time)."""


class BadAnswer(MetadataError):
    """An answer that was refused (4xx) or is not what the API documents."""


class TooManySeries(MetadataError):
    """More series (or label values) than the caller accepts."""


class _ServerName(HTTPAdapter):
    """Connects to the URL's host but expects `server_name` in its certificate (and sends it as SNI)."""

    def __init__(self, server_name: str, **kwargs):
        self._server_name = server_name
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["server_hostname"] = self._server_name
        kwargs["assert_hostname"] = self._server_name
        super().init_poolmanager(*args, **kwargs)


def metadata_client(site: Site, environ: Mapping[str, str] = os.environ) -> PrometheusConnect:
    """A PrometheusConnect for the site: its basic or bearer auth (secrets read as for the bulk
    path), TLS (CA file, client certificate, insecure, server name), timeout, and up to
    `retry_attempts` tries with doubling pauses of at most `retry_max_wait_seconds` (a
    Retry-After header is not obeyed, so no answer makes it wait longer). SourceConfigError
    when a secret cannot be read."""
    credentials = credentials_for(site, environ)
    session = requests.Session()
    session.verify, session.cert = tls_settings(site)
    if credentials.basic:
        session.auth = credentials.basic
    if credentials.bearer_token is not None:
        session.headers["Authorization"] = "Bearer " + credentials.bearer_token
    retry = Retry(
        total=site.retry_attempts - 1,
        backoff_factor=0.5,
        backoff_max=site.retry_max_wait_seconds,
        status_forcelist=RETRY_ON_STATUS,
        respect_retry_after_header=False,
    )
    client = PrometheusConnect(
        url=site.prometheus_url, session=session, retry=retry, timeout=site.timeout_seconds
    )
    if site.tls is not None and site.tls.server_name:
        session.mount(site.prometheus_url, _ServerName(site.tls.server_name, max_retries=retry))
    return client


def _shown(text: object) -> str:
    text = str(text)
    return text if len(text) <= SHOWN else text[:SHOWN] + "..."


class Metadata:
    """One site's metadata requests, counted (`requests_made`), each checked and bounded."""

    def __init__(self, site: Site, client: PrometheusConnect):
        self.site = site
        self.client = client
        self.requests_made = 0

    def _call(self, what: str, call: Callable[[], T]) -> T:
        self.requests_made += 1
        where = f"site {self.site.id}: {self.site.prometheus_url}{what}"
        try:
            return call()
        except requests.exceptions.JSONDecodeError:  # a RequestException too: it answered, badly
            raise BadAnswer(f"{where} answered with something that is not JSON") from None
        except requests.RequestException as error:
            raise NotAnswering(
                f"{where} gave no answer after {self.site.retry_attempts} tries: "
                f"{type(error).__name__}: {_shown(error)}"
            ) from None
        except PrometheusApiClientException as error:
            raise BadAnswer(f"{where} refused the request: {_shown(error)}") from None
        except (KeyError, TypeError, AttributeError) as error:
            raise BadAnswer(f"{where} answered without the API's fields: {_shown(error)}") from None

    def _bounded(self, what: str, items: list, limit: int, noun: str) -> list:
        if len(items) > limit:
            raise TooManySeries(
                f"site {self.site.id}: {what} gave more than {limit:,} {noun} ({len(items):,}); "
                f"at most {limit:,} are accepted"
            )
        return items

    def build_info(self) -> dict[str, str] | None:
        """`/api/v1/status/buildinfo`'s data (version, revision, branch, goVersion, ...), or None
        when the site does not serve it (404: some Prometheus-compatible stores do not)."""
        path = "/api/v1/status/buildinfo"

        def ask():
            session = self.client._session
            answer = session.get(
                f"{self.client.url}{path}",
                headers=self.client.headers,
                timeout=self.client._timeout,
                # explicitly, as PrometheusConnect's own requests do: requests would otherwise
                # let REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE override the site's TLS settings
                verify=session.verify,
                cert=session.cert,
            )
            if answer.status_code == 404:
                return None
            if answer.status_code != 200:
                raise PrometheusApiClientException(f"HTTP {answer.status_code}: {_shown(answer.text)}")
            data = answer.json()["data"]
            if not isinstance(data, dict):
                raise TypeError(f"data is {type(data).__name__}, not an object")
            return {str(k): str(v) for k, v in data.items()}

        return self._call(path, ask)

    def label_values(self, label: str, match: str, start: datetime, end: datetime, limit: int) -> set[str]:
        """The values of `label` on the series `match` selects with samples in [start, end]."""
        path = f"/api/v1/label/{label}/values?match[]={match}"
        params = {"match[]": match, "start": start.timestamp(), "end": end.timestamp(), "limit": limit + 1}
        values = self._call(path, lambda: self.client.get_label_values(label, params=params))
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise BadAnswer(
                f"site {self.site.id}: {path} answered with something that is not a list of values"
            )
        return set(self._bounded(path, values, limit, "values"))

    def series(self, match: str, start: datetime, end: datetime, limit: int) -> list[dict[str, str]]:
        """The label sets of the series `match` selects with samples in [start, end]."""
        path = f"/api/v1/series?match[]={match}"
        params = {"match[]": match, "limit": limit + 1}
        found = self._call(path, lambda: self.client.get_series(start, end, params=params))
        if not isinstance(found, list) or not all(
            isinstance(s, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in s.items())
            for s in found
        ):
            raise BadAnswer(
                f"site {self.site.id}: {path} answered with something that is not a list of series"
            )
        return self._bounded(path, found, limit, "series")

    def instant(self, query: str, at: datetime, limit: int) -> list[tuple[dict[str, str], float]]:
        """An instant vector at `at`: (labels, value) per series; values that are not finite are
        kept as they are (NaN, inf) for the caller to refuse by name."""
        path = f"/api/v1/query?query={query}"
        result = self._call(path, lambda: self.client.custom_query(query, params={"time": at.timestamp()}))
        out = []
        if not isinstance(result, list):
            raise BadAnswer(f"site {self.site.id}: {path} answered with something that is not a vector")
        self._bounded(path, result, limit, "series")
        for item in result:
            try:
                labels, (_, text) = item["metric"], item["value"]
                value = float(text)
            except (KeyError, TypeError, ValueError):
                raise BadAnswer(
                    f"site {self.site.id}: {path} answered with a sample that is not a (time, number) "
                    f"pair: {_shown(item)}"
                ) from None
            if not isinstance(labels, dict):
                raise BadAnswer(f"site {self.site.id}: {path} answered with labels that are not an object")
            out.append(({str(k): str(v) for k, v in labels.items()}, value))
        return out
