"""Outage explanations: who may write one, what is checked, versions kept and never lost, the
latest shown, a council seeing only its own services', and an outage clipped at a month's start
finding the explanation of the outage it continues."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from application.accounts import Account
from application.explanations import ExplanationError, explain, explanations_for
from estate import load_estate
from estate.scope import PROVIDER, Scope
from tests.conftest import SMALL_ESTATE

AT = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
OCT_1 = int(datetime(2026, 10, 1, tzinfo=UTC).timestamp())
# an outage of council-tax on 14 October, 10:00-10:45 UTC, and one of fylde's own intranet
OUTAGE = ("council-tax", OCT_1 + 13 * 86_400 + 36_000, OCT_1 + 13 * 86_400 + 38_700)
INTRANET = ("fylde-intranet", OCT_1 + 20 * 86_400, OCT_1 + 20 * 86_400 + 600)
KNOWN = [OUTAGE, INTRANET]


def account(role: str, council: str | None = None) -> Account:
    return Account(f"someone-{role}", role, council, AT, AT)


@pytest.fixture
def estate():
    return load_estate(SMALL_ESTATE)


def write(warehouse, estate, who, outage=OUTAGE, text="A disk controller failed at dc1.", **kwargs):
    given = {"cause": "hardware", "incident_ref": "INC-1042", "known_outages": KNOWN, "clock": lambda: AT}
    given.update(kwargs)
    return explain(warehouse, estate, who, PROVIDER, outage, text=text, **given)


def test_operators_and_administrators_write_and_every_version_is_kept(warehouse, estate):
    first = write(warehouse, estate, account("operator"))
    second = write(
        warehouse, estate, account("administrator"), text="The controller's firmware, since patched."
    )
    assert (first.version, second.version) == (1, 2)
    found = explanations_for(warehouse, estate, PROVIDER, KNOWN)
    versions = found[("council-tax", OUTAGE[1])]
    assert [v.text for v in versions] == [
        "A disk controller failed at dc1.",
        "The controller's firmware, since patched.",
    ]
    assert [v.written_by for v in versions] == ["someone-operator", "someone-administrator"]
    assert versions[-1].shown == "hardware (INC-1042): The controller's firmware, since patched."
    assert ("fylde-intranet", INTRANET[1]) not in found  # nothing said of it yet


@pytest.mark.parametrize("role", ["capacity-planner", "manager", "council-viewer"])
def test_other_roles_may_not_write(warehouse, estate, role):
    with pytest.raises(ExplanationError, match="only operators and administrators"):
        write(warehouse, estate, account(role, "fylde" if role == "council-viewer" else None))
    assert explanations_for(warehouse, estate, PROVIDER, KNOWN) == {}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"cause": "gremlins"}, "the cause is one of"),
        ({"incident_ref": "INC 1; DROP TABLE"}, "an incident reference"),
        ({"text": "   "}, "the explanation is empty"),
        ({"text": "x" * 2001}, "at most 2,000 characters"),
        ({"outage": ("council-tax", OUTAGE[1] + 1, OUTAGE[2])}, "no such outage"),  # not one of the month's
        ({"outage": ("no-such-service", 1, 2)}, "no such outage"),
    ],
)
def test_what_is_checked_before_anything_is_kept(warehouse, estate, change, message):
    with pytest.raises(ExplanationError, match=message):
        write(warehouse, estate, account("operator"), **change)
    assert (
        warehouse.explanations(datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC), None) == []
    )


def test_a_council_sees_only_its_own_services_explanations(warehouse, estate):
    write(
        warehouse, estate, account("operator"), outage=INTRANET, text="The intranet's web server restarted."
    )
    write(warehouse, estate, account("operator"))
    blackpool = explanations_for(warehouse, estate, Scope.council("blackpool"), KNOWN)
    fylde = explanations_for(warehouse, estate, Scope.council("fylde"), KNOWN)
    assert set(blackpool) == {("council-tax", OUTAGE[1])}  # fylde's intranet is not blackpool's
    assert set(fylde) == {("council-tax", OUTAGE[1]), ("fylde-intranet", INTRANET[1])}


def test_an_outage_running_into_the_next_month_keeps_its_explanation(warehouse, estate):
    # began 31 October 23:00 UTC and ran to 1 November 01:00: October's figures show it to the
    # month's end, November's from the 1st (clipped); explained once, found in both
    nov_1 = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())
    october_part = ("email", nov_1 - 3600, nov_1)
    november_part = ("email", nov_1, nov_1 + 3600)
    write(
        warehouse,
        estate,
        account("operator"),
        outage=october_part,
        known_outages=[october_part],
        text="A mail store filled.",
    )
    found = explanations_for(warehouse, estate, PROVIDER, [november_part])
    assert [v.text for v in found[("email", nov_1)]] == ["A mail store filled."]
    # an outage that began after the explained one ended is not given its explanation
    later = ("email", nov_1 + 7200, nov_1 + 7800)
    assert explanations_for(warehouse, estate, PROVIDER, [later]) == {}
