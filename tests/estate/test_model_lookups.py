"""Looking estate items up by id: an id that names nothing says so, with the ids there are."""

from __future__ import annotations

import pytest

from estate import load_estate
from estate.model import UnknownId
from estate.scope import Scope
from tests.conftest import SMALL_ESTATE


def test_a_known_id_is_found_and_an_unknown_one_is_named():
    estate = load_estate(SMALL_ESTATE)
    assert estate.council("fylde").name == "Fylde Council"
    with pytest.raises(UnknownId, match=r"no council 'chorley' in the estate \(known: blackpool, fylde\)"):
        estate.council("chorley")
    with pytest.raises(KeyError):  # still a KeyError for callers that catch those
        estate.server("no-such-server")


def test_the_month_report_refuses_an_unknown_council_before_any_work(warehouse):
    from application.service_levels import month_report

    with pytest.raises(UnknownId, match="no council 'chorley'"):
        month_report(load_estate(SMALL_ESTATE), warehouse, "2026-10", scope=Scope.council("chorley"))
