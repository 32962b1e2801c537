"""Every broken configuration gets its own message naming the file, the line and the key."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from estate import check_estate_file, load_estate
from estate.load import EstateConfigError, check_estate_text
from estate.windows import OneOffWindow, RecurringWindow
from tests.conftest import SMALL_ESTATE


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    """1-based line of the nth line containing fragment: where the test expects the problem."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line]
    return hits[occurrence - 1]


def test_the_small_estate_is_sound_and_loads_typed_immutable_values():
    estate = load_estate(SMALL_ESTATE)
    assert [s.id for s in estate.sites] == ["dc1", "dc2"]
    assert estate.site("dc2").prometheus_url == "https://127.0.0.1:19092"  # trailing slash dropped
    assert estate.site("dc2").auth.type == "basic"
    assert estate.server("dc2-dr-ctax").annual_cost_gbp == Decimal("5100.50")
    first, second = estate.contracts_for("fylde", "council-tax")
    assert first.service_hours.excludes_bank_holidays
    assert first.service_hours.weekly_minutes == 5 * 10 * 60
    assert isinstance(first.maintenance_windows[0], RecurringWindow)
    assert isinstance(first.maintenance_windows[1], OneOffWindow)
    assert estate.contract_in_force("fylde", "council-tax", "2026-03") is first
    assert estate.contract_in_force("fylde", "council-tax", "2026-04") is second
    assert estate.contract_in_force("fylde", "council-tax", "2025-03") is None
    assert estate.contract_in_force("fylde", "email", "2026-04") is None
    with pytest.raises(Exception, match="frozen"):
        estate.sites[0].id = "other"  # type: ignore[misc]


# (what is broken, how to break the small estate, the key the problem names, words of the message,
#  the text on the line it should point at)
BROKEN = [
    (
        "contract naming an unknown council",
        lambda t: t.replace(
            'council = "blackpool"\nservice = "email"', 'council = "rochdale"\nservice = "email"'
        ),
        "contracts[2].council",
        "unknown council 'rochdale'",
        'council = "rochdale"',
    ),
    (
        "overlapping contract versions",
        lambda t: t.replace('effective_until = "2026-03"', 'effective_until = "2026-06"'),
        "contracts[1].effective_from",
        "overlapping contract versions for fylde/council-tax",
        'effective_from = "2026-04"',
    ),
    (
        "two versions taking effect in the same month",
        lambda t: t.replace('effective_from = "2026-04"', 'effective_from = "2025-04"'),
        "contracts[1].effective_from",
        "also takes effect in 2025-04",
        ('effective_from = "2025-04"', 2),
    ),
    (
        "a target of 150 %",
        lambda t: t.replace("availability_target_percent = 99.7", "availability_target_percent = 150"),
        "contracts[1].availability_target_percent",
        "150 is out of range",
        "availability_target_percent = 150",
    ),
    (
        "an unknown time zone",
        lambda t: t.replace('time_zone = "Europe/London"', 'time_zone = "Europe/Londn"'),
        "estate.time_zone",
        "unknown time zone 'Europe/Londn'; did you mean 'Europe/London'?",
        "Europe/Londn",
    ),
    (
        "service hours that do not parse",
        lambda t: t.replace('service_hours = "24x7"', 'service_hours = "weekdays 9 to 5"'),
        "contracts[2].service_hours",
        "cannot read",
        "weekdays 9 to 5",
    ),
    (
        "service hours with a misspelt day",
        lambda t: t.replace(
            '"Mon-Fri 08:00-18:00 excluding bank holidays"\nmaintenance',
            '"Mon-Fry 08:00-18:00 excluding bank holidays"\nmaintenance',
        ),
        "contracts[0].service_hours",
        "unknown day 'Fry'",
        "Mon-Fry",
    ),
    (
        "service hours past 24:00",
        lambda t: t.replace('service_hours = "24x7"', 'service_hours = "Mon-Fri 08:00-25:00"'),
        "contracts[2].service_hours",
        "'25:00' is not a time of day",
        "25:00",
    ),
    (
        "a duplicate id",
        lambda t: t.replace(
            'id = "fylde"\nname = "Fylde Council"', 'id = "blackpool"\nname = "Fylde Council"'
        ),
        "councils[1].id",
        "duplicate council id 'blackpool'",
        ('id = "blackpool"', 2),
    ),
    (
        "a site without a URL",
        lambda t: t.replace('prometheus_url = "http://127.0.0.1:19091"\n', ""),
        "sites[0].prometheus_url",
        "missing required key",
        "[[sites]]",
    ),  # the table that lacks it
    (
        "a URL that is not http",
        lambda t: t.replace("http://127.0.0.1:19091", "ftp://127.0.0.1:19091"),
        "sites[0].prometheus_url",
        "is not an http:// or https:// URL",
        "ftp://",
    ),
    (
        "a misspelt key",
        lambda t: t.replace('unmonitored_policy = "down"', 'unmonitord_policy = "down"'),
        "contracts[2].unmonitord_policy",
        "unknown key; did you mean 'unmonitored_policy'?",
        "unmonitord_policy",
    ),
    (
        "an unknown unmonitored-time policy",
        lambda t: t.replace('unmonitored_policy = "down"', 'unmonitored_policy = "ignore"'),
        "contracts[2].unmonitored_policy",
        "'ignore' is not allowed",
        'unmonitored_policy = "ignore"',
    ),
    (
        "a service at an unknown site",
        lambda t: t.replace('sites = ["dc2"]', 'sites = ["dc3"]'),
        "services[2].sites[0]",
        "unknown site 'dc3'",
        'sites = ["dc3"]',
    ),
    (
        "an endpoint at a site the service does not run at",
        lambda t: t.replace(
            'sites = ["dc1", "dc2"]\nmode = "active-active"', 'sites = ["dc1"]\nmode = "single-site"'
        ),
        "services[0].endpoints[1].site",
        "where the service does not run",
        "endpoints = [",
    ),
    (
        "a dedicated service with two councils",
        lambda t: t.replace(
            'councils = ["fylde"]\nin_service_from', 'councils = ["fylde", "blackpool"]\nin_service_from'
        ),
        "services[2].councils",
        "a dedicated service belongs to exactly one council",
        'councils = ["fylde", "blackpool"]',
    ),
    (
        "a server at an unknown site",
        lambda t: t.replace('id = "dc1-ctax-app01"\nsite = "dc1"', 'id = "dc1-ctax-app01"\nsite = "dc9"'),
        "servers[0].site",
        "unknown site 'dc9'",
        'site = "dc9"',
    ),
    (
        "a contract for a service the council does not use",
        lambda t: t.replace(
            'councils = ["blackpool", "fylde"]\n\n[[services]]\nid = "fylde-intranet"',
            'councils = ["fylde"]\n\n[[services]]\nid = "fylde-intranet"',
        ),
        "contracts[2].council",
        "is not among the councils the service lists",
        ('council = "blackpool"', 2),
    ),
    (
        "a month that is not a month",
        lambda t: t.replace('effective_from = "2026-04"', 'effective_from = "April 2026"'),
        "contracts[1].effective_from",
        "is not a month; write it as YYYY-MM",
        "April 2026",
    ),
    (
        "a maintenance window that does not parse",
        lambda t: t.replace('"first Sunday of the month 02:00-06:00"', '"sometimes at night"'),
        "contracts[0].maintenance_windows[0]",
        "cannot read the maintenance window",
        "sometimes at night",
    ),
    (
        "a negative charge",
        lambda t: t.replace("monthly_charge_gbp = 2100.00", "monthly_charge_gbp = -5"),
        "contracts[2].monthly_charge_gbp",
        "-5 is out of range",
        "monthly_charge_gbp = -5",
    ),
    (
        "fixed shares that do not add up",
        lambda t: t.replace("fylde = 40 }", "fylde = 30 }"),
        "money.fixed_shares_percent",
        "fixed shares add up to 90 %, not 100 %",
        "fixed_shares_percent",
    ),
    (
        "a financial year written wrongly",
        lambda t: t.replace(
            'financial_year = "2022/23"\ntarget_gbp', 'financial_year = "2022/24"\ntarget_gbp'
        ),
        "money.savings_targets[0].financial_year",
        "is not a UK financial year",
        '"2022/24"',
    ),
    (
        "credit tiers out of order",
        lambda t: t.replace(
            "{ below_percent = 99.0, credit_percent = 10 }", "{ below_percent = 99.9, credit_percent = 10 }"
        ),
        "contracts[0].credit_tiers",
        "from the highest below_percent down",
        "credit_tiers = [",
    ),
    (
        "two endpoints of one service at one site (they would share the id service@site)",
        lambda t: t.replace(
            '    { site = "dc2", target = "https://ctax.dc2.example/health", probe_interval_seconds = 30 },',
            '    { site = "dc2", target = "https://ctax.dc2.example/health", probe_interval_seconds = 30 },\n'
            '    { site = "dc1", target = "https://ctax2.dc1.example/health" },',
        ),
        "services[0].endpoints[2].site",
        "a second endpoint at site 'dc1'",
        "endpoints = [",
    ),
    (
        "a dataset replicated to its own site",
        lambda t: t.replace('replicated_to = "dc2"', 'replicated_to = "dc1"'),
        "services[0].datasets[0].replicated_to",
        "replicated to its own site 'dc1'",
        'replicated_to = "dc1"',
    ),
    (
        "an RPO on a service that protects no dataset",
        lambda t: t.replace(
            'unmonitored_policy = "down"\nmonthly_charge_gbp = 2100.00',
            'unmonitored_policy = "down"\nrpo_hours = 4.0\nmonthly_charge_gbp = 2100.00',
        ),
        "contracts[2].rpo_hours",
        "an RPO for service 'email', which protects no dataset",
        "rpo_hours = 4.0",
    ),
    (
        "credit tiers without a monthly charge",
        lambda t: t.replace("monthly_charge_gbp = 3570.00\n", ""),
        "contracts[0].monthly_charge_gbp",
        "the contract has credit tiers, so it needs monthly_charge_gbp",
        ("[[contracts]]", 1),
    ),
    (
        "a password from two places",
        lambda t: t.replace(
            'password_env = "DC2_PASSWORD" }', 'password_env = "DC2_PASSWORD", password_file = "/run/pw" }'
        ),
        "sites[1].auth",
        "by password_env or by password_file, not both",
        "auth = {",
    ),
    (
        "a password from nowhere",
        lambda t: t.replace(', password_env = "DC2_PASSWORD" }', " }"),
        "sites[1].auth",
        "the password needs a source",
        "auth = {",
    ),
    (
        "a bearer token from nowhere",
        lambda t: t.replace(
            'auth = { type = "basic", username = "councilops", password_env = "DC2_PASSWORD" }',
            'auth = { type = "bearer" }',
        ),
        "sites[1].auth",
        "the token needs a source: token_env (a variable) or token_file (a file)",
        "auth = {",
    ),
    (
        "a wrong type",
        lambda t: t.replace("cores = 8", 'cores = "eight"'),
        "servers[0].cores",
        "'eight'",
        'cores = "eight"',
    ),
]


@pytest.mark.parametrize(("case", "breaker", "key", "words", "line_text"), BROKEN, ids=[b[0] for b in BROKEN])
def test_each_broken_configuration_is_named(
    small_estate_text, tmp_path, case, breaker, key, words, line_text
):
    broken = breaker(small_estate_text)
    assert broken != small_estate_text, f"the test did not break anything for: {case}"
    path = tmp_path / "estate.toml"
    path.write_text(broken, encoding="utf-8")

    estate, problems = check_estate_file(path)

    assert estate is None
    matching = [p for p in problems if p.key == key and words in p.message]
    assert matching, f"expected {key}: {words!r}; got:\n" + "\n".join(map(str, problems))
    problem = matching[0]
    assert problem.file == str(path)
    fragment, occurrence = line_text if isinstance(line_text, tuple) else (line_text, 1)
    assert problem.line == line_of(broken, fragment, occurrence), str(problem)
    assert str(problem).startswith(f"{path}:{problem.line}: {key}: ")


def test_a_toml_syntax_error_names_its_line(small_estate_text):
    broken = small_estate_text.replace('name = "Site two"', 'name = "Site two')
    estate, problems = check_estate_text(broken, "estate.toml")
    assert estate is None
    assert len(problems) == 1
    assert problems[0].line == line_of(broken, 'name = "Site two')
    assert "TOML syntax error" in problems[0].message


def test_every_problem_is_reported_at_once(small_estate_text):
    broken = small_estate_text
    for _, breaker, *_ in (BROKEN[0], BROKEN[3], BROKEN[4], BROKEN[6], BROKEN[8], BROKEN[9]):
        broken = breaker(broken)
    _, problems = check_estate_text(broken, "estate.toml")
    keys = {p.key for p in problems}
    assert {
        "contracts[2].council",
        "contracts[1].availability_target_percent",
        "estate.time_zone",
        "contracts[0].service_hours",
        "councils[1].id",
        "sites[0].prometheus_url",
    } <= keys


def test_a_missing_file_and_a_binary_file_are_one_problem_each(tmp_path: Path):
    _, problems = check_estate_file(tmp_path / "absent.toml")
    assert [p.message for p in problems] == ["file not found"]
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b'name = "x"\n\xff\xfe')
    _, problems = check_estate_file(binary)
    assert [(p.line, p.message) for p in problems] == [(2, "the file is not UTF-8 text")]


def test_load_raises_with_every_problem_listed(small_estate_text, tmp_path):
    path = tmp_path / "estate.toml"
    path.write_text(BROKEN[3][1](BROKEN[4][1](small_estate_text)), encoding="utf-8")
    with pytest.raises(EstateConfigError) as raised:
        load_estate(path)
    assert len(raised.value.problems) == 2
    assert "2 problems in the estate configuration" in str(raised.value)


def test_a_contract_without_credit_tiers_needs_no_monthly_charge(small_estate_text):
    # the blackpool email contract has no credit tiers: without a charge it loads, and its
    # credit is nothing
    estate, problems = check_estate_text(
        small_estate_text.replace("monthly_charge_gbp = 2100.00\n", ""), "e.toml"
    )
    assert problems == []
    assert estate.contract_in_force("blackpool", "email", "2026-04").monthly_charge_gbp is None
