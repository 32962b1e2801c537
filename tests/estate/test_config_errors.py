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


def replace(old: str, new: str):
    """A breaker: `old` (which must be there) replaced by `new`, once."""

    def breaker(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return breaker


DEEP = 5000
TOO_DEEP = "nested more than 32 deep (tables and lists inside one another)"
CEILING = "it must be at most £1,000,000,000"
YEARS = "is outside the years 1970-2100 councilops works in"
ID_HELP = "use lower-case letters, digits and hyphens, starting with a letter or digit"

# Bad input that is one mistake: exactly one problem, with this key, this message, on the line
# holding this text. (what is broken, how to break the small estate, key, message, line text)
EXACTLY_ONE = [
    # --- nesting and size
    (
        "a list nested 5,000 deep",
        lambda t: "deep = " + "[" * DEEP + "]" * DEEP + "\n" + t,
        "deep",
        TOO_DEEP,
        "deep = [[[",
    ),
    (
        "inline tables nested 5,000 deep",
        lambda t: "deep = " + "{ a = " * DEEP + "1" + " }" * DEEP + "\n" + t,
        "deep",
        TOO_DEEP,
        "deep = {",
    ),
    ("a dotted key of 5,000 parts", lambda t: ".".join(["a"] * DEEP) + " = 1\n" + t, "a", TOO_DEEP, "a.a.a"),
    (
        "a table header of 5,000 parts",
        lambda t: t + "[" + ".".join(["a"] * DEEP) + "]\n",
        "a",
        TOO_DEEP,
        "[a.a.a",
    ),
    ("a table header of 40 parts", lambda t: t + "[" + ".".join(["a"] * 40) + "]\n", "a", TOO_DEEP, "[a.a.a"),
    (
        "a list 33 deep inside a table",
        replace("[money]\n", "[money]\ndeep = " + "[" * 33 + "]" * 33 + "\n"),
        "money.deep",
        TOO_DEEP,
        "deep = [[[",
    ),
    # --- money
    (
        "a charge of 1e308",
        replace("monthly_charge_gbp = 2100.00", "monthly_charge_gbp = 1e308"),
        "contracts[2].monthly_charge_gbp",
        f"1e+308 is out of range: {CEILING}",
        "monthly_charge_gbp = 1e308",
    ),
    (
        "a cost of 1e26",
        replace("annual_cost_gbp = 2400.00", "annual_cost_gbp = 1e26"),
        "servers[0].annual_cost_gbp",
        f"1e+26 is out of range: {CEILING}",
        "annual_cost_gbp = 1e26",
    ),
    (
        "a penny over the ceiling",
        replace("target_gbp = 300000.0", "target_gbp = 1000000000.01"),
        "money.savings_targets[0].target_gbp",
        f"1000000000.01 is out of range: {CEILING}",
        "target_gbp = 1000000000.01",
    ),
    (
        "a charge of nan",
        replace("monthly_charge_gbp = 2100.00", "monthly_charge_gbp = nan"),
        "contracts[2].monthly_charge_gbp",
        "should be a number of pounds, not nan",
        "monthly_charge_gbp = nan",
    ),
    (
        "a charge of inf",
        replace("monthly_charge_gbp = 2100.00", "monthly_charge_gbp = inf"),
        "contracts[2].monthly_charge_gbp",
        "should be a number of pounds, not inf",
        "monthly_charge_gbp = inf",
    ),
    (
        "a charge in tenths of a penny",
        replace("monthly_charge_gbp = 2100.00", "monthly_charge_gbp = 2100.005"),
        "contracts[2].monthly_charge_gbp",
        "2100.005 has more than 2 decimal places: amounts are in pounds and pence",
        "monthly_charge_gbp = 2100.005",
    ),
    (
        "a charge in words",
        replace("monthly_charge_gbp = 2100.00", 'monthly_charge_gbp = "lots"'),
        "contracts[2].monthly_charge_gbp",
        "should be a number of pounds, not 'lots'",
        'monthly_charge_gbp = "lots"',
    ),
    (
        "a charge of true",
        replace("monthly_charge_gbp = 2100.00", "monthly_charge_gbp = true"),
        "contracts[2].monthly_charge_gbp",
        "should be a number of pounds, not true",
        "monthly_charge_gbp = true",
    ),
    (
        "a recorded actual of 1e308",
        replace("annual_gbp = 210000.0", "annual_gbp = 1e308"),
        "money.actuals[0].annual_gbp",
        f"1e+308 is out of range: {CEILING}",
        "annual_gbp = 1e308",
    ),
    (
        "an actual recorded for a measured category",
        replace('category = "licences"\nannual_gbp', 'category = "servers"\nannual_gbp'),
        "money.actuals[0].category",
        "'servers' is measured from the warehouse and the inventories, not recorded",
        'category = "servers"',
    ),
    (
        "an actual for a category the baseline lacks",
        replace('category = "licences"\nannual_gbp', 'category = "licenses"\nannual_gbp'),
        "money.actuals[0].category",
        "no baseline item has category 'licenses' (recorded categories: licences)",
        'category = "licenses"',
    ),
    # --- other figures
    (
        "memory of 1e308",
        replace("memory_gib = 32.0", "memory_gib = 1e308"),
        "servers[0].memory_gib",
        "1e+308 is out of range: it must be at most 1,048,576",
        "memory_gib = 1e308",
    ),
    (
        "memory of inf",
        replace("memory_gib = 32.0", "memory_gib = inf"),
        "servers[0].memory_gib",
        "should be a number, not inf",
        "memory_gib = inf",
    ),
    (
        "memory of nan",
        replace("memory_gib = 32.0", "memory_gib = nan"),
        "servers[0].memory_gib",
        "should be a number, not nan",
        "memory_gib = nan",
    ),
    (
        "memory of 400 digits",
        replace("memory_gib = 32.0", "memory_gib = " + "9" * 400),
        "servers[0].memory_gib",
        "a number of 400 digits is out of range: it must be more than 0 and at most 1,048,576",
        "memory_gib = 999",
    ),
    (
        "storage of 1e308",
        replace("storage_gib = 200.0", "storage_gib = 1e308"),
        "servers[0].storage_gib",
        "1e+308 is out of range: it must be at most 1,073,741,824",
        "storage_gib = 1e308",
    ),
    (
        "a dataset of 1e30 GiB",
        replace('replicated_to = "dc2"', 'replicated_to = "dc2"\nsize_gib = 1e30'),
        "services[0].datasets[0].size_gib",
        "1e+30 is out of range: it must be at most 1,073,741,824",
        "size_gib = 1e30",
    ),
    (
        "an RPO of 1e308 hours",
        replace("rpo_hours = 24.0", "rpo_hours = 1e308"),
        "contracts[0].rpo_hours",
        "1e+308 is out of range: it must be at most 8784",
        "rpo_hours = 1e308",
    ),
    (
        "a response target of 1e308 seconds",
        replace("response_time_target_seconds = 2.0", "response_time_target_seconds = 1e308"),
        "contracts[0].response_time_target_seconds",
        "1e+308 is out of range: it must be at most 3600",
        "response_time_target_seconds = 1e308",
    ),
    (
        "a recovery of 1e308 minutes",
        replace("measured_recovery_minutes = 95.0", "measured_recovery_minutes = 1e308"),
        "dr_tests[0].measured_recovery_minutes",
        "1e+308 is out of range: it must be at most 527,040",
        "measured_recovery_minutes = 1e308",
    ),
    (
        "a server drawing 1e308 watts",
        replace(
            "storage_gbp_per_tib_year = 180.0",
            "storage_gbp_per_tib_year = 180.0\nphysical_server_watts = 1e308",
        ),
        "money.cost_model.physical_server_watts",
        "1e+308 is out of range: it must be at most 100,000",
        "physical_server_watts = 1e308",
    ),
    (
        "a negative number of cores",
        replace("cores = 8", "cores = -1"),
        "servers[0].cores",
        "-1 is out of range: it must be more than 0",
        "cores = -1",
    ),
    # --- the wrong kind of value, in the estate's words
    (
        "text where a list of site ids belongs",
        replace('sites = ["dc2"]', 'sites = "dc2"'),
        "services[2].sites",
        "should be a list of site ids, not 'dc2'",
        'sites = "dc2"',
    ),
    (
        "a table where a list of council ids belongs",
        replace('councils = ["fylde"]\nin_service', "councils = { a = 1 }\nin_service"),
        "services[2].councils",
        "should be a list of council ids, not a table",
        "councils = { a = 1 }",
    ),
    (
        "numbers where site ids belong",
        replace('sites = ["dc2"]', "sites = [1, 2]"),
        "services[2].sites[0]",
        "should be a site id in quotes, not 1 (as is 1 more entry of the list)",
        "sites = [1, 2]",
    ),
    (
        "a table where text belongs",
        replace('name = "Site one"', "name = { a = 1 }"),
        "sites[0].name",
        "should be text in quotes, not a table",
        "name = { a = 1 }",
    ),
    (
        "a bool where text belongs",
        replace('name = "Site one"', "name = true"),
        "sites[0].name",
        "should be text in quotes, not true",
        "name = true",
    ),
    (
        "a date where text belongs",
        replace('name = "Site one"', "name = 2025-04-01"),
        "sites[0].name",
        "should be text in quotes, not 2025-04-01",
        "name = 2025-04-01",
    ),
    (
        "a bool where a whole number belongs",
        replace("cores = 8", "cores = true"),
        "servers[0].cores",
        "should be a whole number, not true",
        "cores = true",
    ),
    (
        "a fraction where a whole number belongs",
        replace("cores = 8", "cores = 8.5"),
        "servers[0].cores",
        "should be a whole number, not 8.5",
        "cores = 8.5",
    ),
    (
        "a list where a number belongs",
        replace("memory_gib = 32.0", "memory_gib = [32]"),
        "servers[0].memory_gib",
        "should be a number, not a list",
        "memory_gib = [32]",
    ),
    (
        "a word where a percentage belongs",
        replace("availability_target_percent = 99.9", 'availability_target_percent = "high"'),
        "contracts[2].availability_target_percent",
        "should be a number, not 'high'",
        'availability_target_percent = "high"',
    ),
    (
        "a word where true or false belongs",
        replace("insecure_skip_verify = true", 'insecure_skip_verify = "maybe"'),
        "sites[1].tls.insecure_skip_verify",
        "should be true or false, not 'maybe'",
        "tls = {",
    ),
    (
        "a number where a choice belongs",
        replace('unmonitored_policy = "down"', "unmonitored_policy = 3"),
        "contracts[2].unmonitored_policy",
        "3 is not allowed: use 'exclude', 'up' or 'down'",
        "unmonitored_policy = 3",
    ),
    (
        "an unknown calendar",
        replace('bank_holidays = "scotland"', 'bank_holidays = "wales"'),
        "contracts[2].bank_holidays",
        "'wales' is not allowed: use 'england-and-wales', 'scotland' or 'northern-ireland'",
        'bank_holidays = "wales"',
    ),
    (
        "an id in capitals",
        replace('id = "dc1-ctax-app01"', 'id = "DC1-app"'),
        "servers[0].id",
        "'DC1-app' is not an id: use lower-case letters, digits and hyphens, starting with a letter or digit",
        'id = "DC1-app"',
    ),
    (
        "an empty id",
        replace('id = "dc1-ctax-app01"', 'id = ""'),
        "servers[0].id",
        "'' is empty: an id has at least 1 character",
        'id = ""',
    ),
    (
        "an id of 70 characters",
        replace('id = "dc1-ctax-app01"', 'id = "' + "a" * 70 + '"'),
        "servers[0].id",
        "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'... (70 characters) is too long: an id has at most 64 characters",
        'id = "aaa',
    ),
    (
        "a number where an id belongs",
        replace('id = "dc1-ctax-app01"', "id = 5"),
        "servers[0].id",
        "should be an id in quotes, not 5",
        "id = 5",
    ),
    (
        "a table where a site id belongs",
        replace('sites = ["dc2"]', 'sites = [{ id = "dc2" }]'),
        "services[2].sites[0]",
        "should be a site id in quotes, not a table",
        "sites = [{",
    ),
    (
        "an unknown auth scheme",
        replace('type = "basic"', 'type = "digest"'),
        "sites[1].auth.type",
        "'digest' is not allowed: use 'basic' or 'bearer'",
        "auth = {",
    ),
    (
        "an auth table without its type",
        replace('type = "basic", ', ""),
        "sites[1].auth.type",
        "missing required key",
        "auth = {",
    ),
    (
        "text where the auth table belongs",
        replace(
            'auth = { type = "basic", username = "councilops", password_env = "DC2_PASSWORD" }',
            'auth = "basic"',
        ),
        "sites[1].auth",
        "should be a table, not 'basic'",
        'auth = "basic"',
    ),
    (
        "a misspelt key of a bearer scheme's sibling",
        replace('password_env = "DC2_PASSWORD" }', 'password_env = "DC2_PASSWORD", tokn_env = "X" }'),
        "sites[1].auth.tokn_env",
        "unknown key; known keys: type, username, password_env, password_file",
        "auth = {",
    ),
    (
        "three sites for one service",
        replace(
            'sites = ["dc1", "dc2"]\nmode = "active-passive"',
            'sites = ["dc1", "dc2", "dc1"]\nmode = "active-passive"',
        ),
        "services[1].sites",
        "the list has 3 site ids: at most 2 are allowed",
        'sites = ["dc1", "dc2", "dc1"]',
    ),
    (
        "no site for a service",
        replace('sites = ["dc2"]', "sites = []"),
        "services[2].sites",
        "the list is empty: it needs at least 1",
        "sites = []",
    ),
    (
        "a share for a council written as a name",
        replace("fylde = 40 }", '"Fylde Council" = 40 }'),
        "money.fixed_shares_percent.Fylde Council",
        "'Fylde Council' is not a council id: use lower-case letters, digits and hyphens, starting with a letter or digit",
        "fixed_shares_percent = {",
    ),
    (
        "shares written as text",
        replace("fixed_shares_percent = { blackpool = 60, fylde = 40 }", 'fixed_shares_percent = "60/40"'),
        "money.fixed_shares_percent",
        "should be a table, not '60/40'",
        "fixed_shares_percent =",
    ),
    (
        "an unknown utilisation figure",
        replace("[money]\n", '[collection]\nqueries = { cpu = "up" }\n\n[money]\n'),
        "collection.queries.cpu",
        "'cpu' is not allowed: use 'cpu_percent', 'memory_percent', 'storage_percent' or 'network_mbps'",
        "queries = {",
    ),
    (
        "an unknown exporter",
        replace("[money]\n", '[collection]\nexporters = ["linux"]\n\n[money]\n'),
        "collection.exporters[0]",
        "'linux' is not allowed: use 'node' or 'windows'",
        "exporters = [",
    ),
    (
        "a role list written as text",
        replace("[money]\n", '[capacity.under_use]\nnever_roles = "dr-standby"\n\n[money]\n'),
        "capacity.under_use.never_roles",
        "should be a list of roles, not 'dr-standby'",
        "never_roles =",
    ),
    (
        "a number for service hours",
        replace('service_hours = "24x7"', "service_hours = 5"),
        "contracts[2].service_hours",
        "should be service hours in quotes, such as 'Mon-Fri 08:00-18:00', not 5",
        "service_hours = 5",
    ),
    (
        "a number for a maintenance window",
        replace('"first Sunday of the month 02:00-06:00", ', "5, "),
        "contracts[0].maintenance_windows[0]",
        "should be a maintenance window in quotes, such as 'every Sunday 02:00-04:00', not 5",
        "maintenance_windows = [5",
    ),
    (
        "one maintenance window not in a list",
        replace(
            'maintenance_windows = ["first Sunday of the month 02:00-06:00", "2026-03-14 22:00 to 2026-03-15 06:00"]',
            'maintenance_windows = "daily 01:00-02:00"',
        ),
        "contracts[0].maintenance_windows",
        "should be a list of maintenance windows, not 'daily 01:00-02:00'",
        "maintenance_windows =",
    ),
    (
        "a misspelt required key",
        replace('id = "fylde"\nname', 'idd = "fylde"\nname'),
        "councils[1].idd",
        "unknown key; did you mean 'id'?",
        'idd = "fylde"',
    ),
    (
        "a month without quotes",
        replace('effective_from = "2026-04"', "effective_from = 2026-04"),
        "",
        "TOML syntax error: Expected newline or end of document after a statement (column 22); a month is written in quotes, such as '2026-04'",
        "effective_from = 2026-04",
    ),
    (
        "a word without quotes",
        replace('mode = "single-site"', "mode = single-site"),
        "",
        "TOML syntax error: Invalid value (column 8); text is written in quotes",
        "mode = single-site",
    ),
    # --- months, dates and years
    (
        "a date where a month belongs",
        replace('effective_from = "2026-04"', "effective_from = 2026-04-01"),
        "contracts[1].effective_from",
        "2026-04-01 is a date, not a month: write the month in quotes, '2026-04'",
        "effective_from = 2026-04-01",
    ),
    (
        "a number where a month belongs",
        replace('effective_from = "2026-04"', "effective_from = 202604"),
        "contracts[1].effective_from",
        "should be a month in quotes, such as '2026-04', not 202604",
        "effective_from = 202604",
    ),
    (
        "month 13",
        replace('effective_from = "2026-04"', 'effective_from = "2026-13"'),
        "contracts[1].effective_from",
        "'2026-13' is not a month; write it as YYYY-MM, for example '2026-04'",
        '"2026-13"',
    ),
    (
        "the month 0000-01",
        replace('effective_from = "2026-04"', 'effective_from = "0000-01"'),
        "contracts[1].effective_from",
        f"'0000-01' {YEARS}",
        '"0000-01"',
    ),
    (
        "the month 9999-12",
        replace('effective_from = "2026-04"', 'effective_from = "9999-12"'),
        "contracts[1].effective_from",
        f"'9999-12' {YEARS}",
        '"9999-12"',
    ),
    (
        "the month 1969-12",
        replace('effective_until = "2026-03"', 'effective_until = "1969-12"'),
        "contracts[0].effective_until",
        f"'1969-12' {YEARS}",
        '"1969-12"',
    ),
    (
        "the date 0001-01-01",
        replace("in_service_from = 2026-03-15", "in_service_from = 0001-01-01"),
        "services[2].in_service_from",
        f"0001-01-01 {YEARS}",
        "in_service_from = 0001-01-01",
    ),
    (
        "the date 9999-12-31",
        replace("date = 2026-05-12", "date = 9999-12-31"),
        "dr_tests[0].date",
        f"9999-12-31 {YEARS}",
        "date = 9999-12-31",
    ),
    (
        "the date 2101-01-01",
        replace("date = 2026-05-12", "date = 2101-01-01"),
        "dr_tests[0].date",
        f"2101-01-01 {YEARS}",
        "date = 2101-01-01",
    ),
    (
        "a number where a date belongs",
        replace("in_service_from = 2026-03-15", "in_service_from = 20260315"),
        "services[2].in_service_from",
        "should be a date such as 2026-03-15, not 20260315",
        "in_service_from = 20260315",
    ),
    (
        "a time of day where a date belongs",
        replace("in_service_from = 2026-03-15", "in_service_from = 2026-03-15T10:00:00"),
        "services[2].in_service_from",
        "should be a date such as 2026-03-15, not 2026-03-15T10:00:00",
        "in_service_from = 2026-03-15T",
    ),
    (
        "a word where a date belongs",
        replace("in_service_from = 2026-03-15", 'in_service_from = "March"'),
        "services[2].in_service_from",
        "should be a date such as 2026-03-15, not 'March'",
        'in_service_from = "March"',
    ),
    (
        "the 30th of February",
        replace("date = 2026-05-12", 'date = "2026-02-30"'),
        "dr_tests[0].date",
        "should be a date such as 2026-03-15, not '2026-02-30'",
        'date = "2026-02-30"',
    ),
    (
        "the financial year 1800/01",
        replace('financial_year = "2021/22"', 'financial_year = "1800/01"'),
        "money.baseline.financial_year",
        f"'1800/01' {YEARS}",
        '"1800/01"',
    ),
    (
        "a number where a financial year belongs",
        replace('financial_year = "2021/22"', "financial_year = 2021"),
        "money.baseline.financial_year",
        "should be a UK financial year in quotes, such as '2025/26', not 2021",
        "financial_year = 2021",
    ),
    (
        "a maintenance window in 9999",
        replace('"2026-03-14 22:00 to 2026-03-15 06:00"', '"9999-12-31 23:00-02:00"'),
        "contracts[0].maintenance_windows[1]",
        "'9999-12-31 23:00-02:00': 9999 is outside the years 1970-2100 councilops works in",
        "maintenance_windows = [",
    ),
    # --- one mistake, one problem
    (
        "a council misspelt in [[councils]]",
        replace('id = "fylde"\nname', 'id = "fyld"\nname'),
        "councils[1].id",
        "council id 'fyld' is used nowhere, while 'fylde', which is not defined, is used 6 times (at services[0].councils[1], services[1].councils[1], services[2].councils[0] and 3 more): did you mean 'fylde'?",
        'id = "fyld"',
    ),
    (
        "a council id in capitals in [[councils]]",
        replace('id = "fylde"\nname', 'id = "Fylde"\nname'),
        "councils[1].id",
        "'Fylde' is not an id: use lower-case letters, digits and hyphens, starting with a letter or digit",
        'id = "Fylde"',
    ),
    (
        "a council without its id",
        replace('id = "fylde"\nname', "name"),
        "councils[1].id",
        "missing required key",
        ("[[councils]]", 2),
    ),
    (
        "a council given another's id",
        replace('id = "fylde"\nname', 'id = "blackpool"\nname'),
        "councils[1].id",
        "duplicate council id 'blackpool': already used at councils[0].id; and 'fylde', which is not defined, is used 6 times (at services[0].councils[1], services[1].councils[1], services[2].councils[0] and 3 more): was this one meant to be 'fylde'?",
        ('id = "blackpool"', 2),
    ),
    (
        "a site misspelt in [[sites]]",
        replace('id = "dc2"\nname', 'id = "dc-2"\nname'),
        "sites[1].id",
        "site id 'dc-2' is used nowhere, while 'dc2', which is not defined, is used 8 times (at services[0].sites[1], services[0].endpoints[1].site, services[0].datasets[0].replicated_to and 5 more): did you mean 'dc2'?",
        'id = "dc-2"',
    ),
    (
        "a council misspelt in a service's list",
        replace(
            'councils = ["blackpool", "fylde"]\nendpoints', 'councils = ["blackpool", "fyld"]\nendpoints'
        ),
        "services[0].councils[1]",
        "unknown council 'fyld' (known: blackpool, fylde); did you mean 'fylde'?",
        'councils = ["blackpool", "fyld"]',
    ),
    (
        "a site misspelt in a service's list",
        replace(
            'sites = ["dc1", "dc2"]\nmode = "active-active"', 'sites = ["dc1", "dc3"]\nmode = "active-active"'
        ),
        "services[0].sites[1]",
        "unknown site 'dc3' (known: dc1, dc2); did you mean 'dc2'?",
        'sites = ["dc1", "dc3"]',
    ),
    (
        "a contract naming an unknown council (one problem)",
        replace('council = "blackpool"\nservice = "email"', 'council = "rochdale"\nservice = "email"'),
        "contracts[2].council",
        "unknown council 'rochdale' (known: blackpool, fylde)",
        'council = "rochdale"',
    ),
    (
        "the provider council misspelt",
        replace('provider_council = "blackpool"', 'provider_council = "blackpol"'),
        "estate.provider_council",
        "unknown council 'blackpol' (known: blackpool, fylde); did you mean 'blackpool'?",
        'provider_council = "blackpol"',
    ),
    (
        "a service id misspelt in [[services]], used once",
        replace('id = "email"', 'id = "e-mail"'),
        "contracts[2].service",
        "unknown service 'email' (known: council-tax, e-mail, fylde-intranet); did you mean 'e-mail'?",
        'service = "email"',
    ),
    (
        "a site list written as text (no mode problem as well)",
        replace(
            'sites = ["dc1", "dc2"]\nmode = "active-passive"', 'sites = "dc1, dc2"\nmode = "active-passive"'
        ),
        "services[1].sites",
        "should be a list of site ids, not 'dc1, dc2'",
        'sites = "dc1, dc2"',
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


@pytest.mark.parametrize(
    ("case", "breaker", "key", "message", "line_text"), EXACTLY_ONE, ids=[c[0] for c in EXACTLY_ONE]
)
def test_each_mistake_is_exactly_one_located_problem(
    small_estate_text, tmp_path, case, breaker, key, message, line_text
):
    broken = breaker(small_estate_text)
    assert broken != small_estate_text, f"the test did not break anything for: {case}"
    path = tmp_path / "estate.toml"
    path.write_text(broken, encoding="utf-8")

    estate, problems = check_estate_file(path)

    fragment, occurrence = line_text if isinstance(line_text, tuple) else (line_text, 1)
    assert estate is None
    assert [(p.key, p.line, p.message) for p in problems] == [
        (key, line_of(broken, fragment, occurrence), message)
    ], "\n".join(map(str, problems))


def test_nesting_up_to_32_deep_is_read_and_33_is_refused(small_estate_text):
    for depth, expected in ((32, "unknown key; known keys: "), (33, TOO_DEEP)):
        nested = f"deep = {'[' * depth}{']' * depth}\n" + small_estate_text
        _, problems = check_estate_text(nested, "estate.toml")
        assert [(p.line, p.key) for p in problems] == [(1, "deep")]
        assert problems[0].message.startswith(expected)
    header = "[" + ".".join(["a"] * 32) + "]\n"  # 32 tables inside one another: still read
    _, problems = check_estate_text(small_estate_text + header, "estate.toml")
    assert [p.message for p in problems] == [
        "unknown key; known keys: estate, sites, councils, services, servers, server_discovery, "
        "contracts, dr_tests, money, capacity, collection, limits, reports"
    ]


def test_brackets_in_strings_and_comments_are_not_nesting(small_estate_text):
    brackets = "[" * 40
    braces = "{" * 40
    text = small_estate_text.replace(
        'name = "Site one"', f'name = "{brackets}"  # {braces}\n# {brackets}'
    ).replace("""selector = 'node_uname_info{env="prod"}'""", f"selector = '''{brackets}\n{braces}'''")
    estate, problems = check_estate_text(text, "estate.toml")
    assert problems == []
    assert estate.site("dc1").name == brackets


def test_deep_nesting_is_found_without_recursion(small_estate_text):
    import sys

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # far below what recursing 5,000 deep would need
    try:
        for deep in (
            f"x = {'[' * DEEP}{']' * DEEP}\n",
            ".".join(["a"] * DEEP) + " = 1\n",
            "".join(f"[{'.'.join(['a'] * n)}]\n" for n in range(30, 40)),
        ):
            _, problems = check_estate_text(deep + small_estate_text, "estate.toml")
            assert [p.message for p in problems] == [TOO_DEEP]
    finally:
        sys.setrecursionlimit(limit)


def test_a_file_over_16_mib_is_one_problem_and_16_mib_is_read(small_estate_text, tmp_path):
    limit = 16 * 1024 * 1024
    path = tmp_path / "estate.toml"
    padding = limit - len(small_estate_text.encode("utf-8")) - 1
    path.write_text(small_estate_text + "#" * padding + "\n", encoding="utf-8")
    assert path.stat().st_size == limit
    estate, problems = check_estate_file(path)
    assert problems == [] and estate is not None

    with path.open("a", encoding="utf-8") as grown:
        grown.write("#")
    estate, problems = check_estate_file(path)
    message = "the file is larger than 16 MiB (16,777,217 bytes), the most an estate file may be"
    assert estate is None
    assert [(p.file, p.line, p.key, p.message) for p in problems] == [(str(path), None, "", message)]
    _, problems = check_estate_text(path.read_text(encoding="utf-8"), "estate.toml")
    assert [p.message for p in problems] == [message]


def test_a_byte_order_mark_is_accepted(small_estate_text, tmp_path):
    path = tmp_path / "estate.toml"
    path.write_bytes(b"\xef\xbb\xbf" + small_estate_text.encode("utf-8"))
    estate, problems = check_estate_file(path)
    assert problems == []
    assert estate.estate.name == "Test estate"
    estate, problems = check_estate_text("\ufeff" + small_estate_text, "estate.toml")
    assert problems == [] and estate is not None
    # a problem's line is the file's line
    broken = small_estate_text.replace("cores = 8", "cores = true")
    path.write_bytes(b"\xef\xbb\xbf" + broken.encode("utf-8"))
    _, problems = check_estate_file(path)
    assert [(p.line, p.key) for p in problems] == [(line_of(broken, "cores = true"), "servers[0].cores")]


def test_the_limits_themselves_are_allowed(small_estate_text):
    text = small_estate_text
    for old, new in (
        ("monthly_charge_gbp = 2100.00", "monthly_charge_gbp = 1000000000"),
        ("annual_cost_gbp = 2400.00", "annual_cost_gbp = 999999999.99"),
        ("memory_gib = 32.0", "memory_gib = 1048576"),
        ("storage_gib = 200.0", "storage_gib = 1073741824"),
        ("rpo_hours = 24.0", "rpo_hours = 8784"),
        ("response_time_target_seconds = 2.0", "response_time_target_seconds = 3600"),
        ("measured_recovery_minutes = 95.0", "measured_recovery_minutes = 527040"),
        ('effective_from = "2025-04"\neffective_until', 'effective_from = "1970-01"\neffective_until'),
        ('effective_from = "2026-04"', 'effective_from = "2100-12"'),
        ("in_service_from = 2026-03-15", "in_service_from = 1970-01-01"),
        ("date = 2026-05-12", "date = 2100-12-31"),
        ('financial_year = "2021/22"', 'financial_year = "1970/71"'),
        ('financial_year = "2022/23"\ntarget_gbp', 'financial_year = "2099/00"\ntarget_gbp'),
    ):
        assert old in text, old
        text = text.replace(old, new, 1)
    estate, problems = check_estate_text(text, "estate.toml")
    assert problems == [], "\n".join(map(str, problems))
    assert estate.contracts[2].monthly_charge_gbp == Decimal("1000000000")
    assert estate.server("dc1-ctax-app01").annual_cost_gbp == Decimal("999999999.99")


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


def test_a_recovery_site_is_the_other_site_of_a_single_site_service(small_estate_text):
    # fylde-intranet runs at dc2 alone; council-tax at both sites
    intranet = 'id = "fylde-intranet"\n'
    assert intranet in small_estate_text
    good = small_estate_text.replace(intranet, intranet + 'recovery_site = "dc1"\n', 1)
    estate, problems = check_estate_text(good, "e.toml")
    assert problems == [] and estate.service("fylde-intranet").recovery_site == "dc1"
    for value, words in (
        ('"dc2"', "'dc2' is where the service runs: its recovery site is the other one"),
        ('"dc9"', "unknown site 'dc9'"),
    ):
        text = small_estate_text.replace(intranet, intranet + f"recovery_site = {value}\n", 1)
        _, problems = check_estate_text(text, "e.toml")
        assert [p.key for p in problems] == ["services[2].recovery_site"], problems
        assert words in problems[0].message
    both = small_estate_text.replace('id = "council-tax"\n', 'id = "council-tax"\nrecovery_site = "dc2"\n', 1)
    _, problems = check_estate_text(both, "e.toml")
    assert [(p.key, p.message) for p in problems] == [
        (
            "services[0].recovery_site",
            "only a single-site service has a recovery site: an active-active service already runs at both",
        )
    ]
