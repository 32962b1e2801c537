"""Secrets never live in the estate file, a message, a log or the warehouse."""

from __future__ import annotations

import pytest

from estate.load import check_estate_text
from estate.secrets import redacted, url_secret


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://admin:hunter2@prometheus.dc1:9090", "it carries a user name or password"),
        ("https://prometheus.dc1:9090/?access_token=abc123", "its query carries 'access_token'"),
        ("https://prometheus.dc1:9090/?apikey=abc123", "its query carries 'apikey'"),
        ("https://prometheus.dc1:9090/prom", None),
        ("https://prometheus.dc1:9090/?dedup=true", None),
    ],
)
def test_a_url_carrying_a_credential_is_named(url, why):
    assert url_secret(url) == why


def test_check_refuses_a_site_url_with_a_password_and_never_shows_it(small_estate_text):
    broken = small_estate_text.replace('"http://127.0.0.1:19091"', '"http://admin:hunter2@127.0.0.1:19091"')
    estate, problems = check_estate_text(broken, "estate.toml")
    assert estate is None
    (problem,) = [p for p in problems if p.key == "sites[0].prometheus_url"]
    assert "secrets never live in the estate file" in problem.message and "password_env" in problem.message
    assert all("hunter2" not in str(p) for p in problems)


def test_redaction_blanks_credentials_in_any_text():
    text = (
        "site dc1: http://admin:hunter2@host:9090/api/v1/query_range?query=up&token=s3cr3t gave no answer; "
        "also https://u@other/x?api_key=k&step=60"
    )
    shown = redacted(text)
    assert "hunter2" not in shown and "s3cr3t" not in shown and "api_key=k" not in shown
    assert "http://***@host:9090/api/v1/query_range?query=up&token=***" in shown
    assert "step=60" in shown  # what is not a secret stays


def test_a_stored_run_never_holds_a_credential(warehouse):
    from dataclasses import dataclass
    from datetime import datetime

    from collectors.bookkeeping import record_run

    @dataclass
    class Failed:
        status: str = "unreachable"
        rows: int = 0
        message: str = "site dc1: http://admin:hunter2@host:9090/api/v1/query?token=s3cr3t gave no answer"

    moment = datetime(2026, 11, 1)
    record_run(warehouse, "availability", "dc1", moment, moment, moment, moment, Failed())
    (stored,) = warehouse.query("SELECT message FROM collection_runs")["message"].to_list()
    assert "hunter2" not in stored and "s3cr3t" not in stored and "gave no answer" in stored
