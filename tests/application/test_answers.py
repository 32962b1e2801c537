"""What the served process keeps (application/answers.py): each council's month narrowed from the
provider's is exactly the council-scoped month_report; an answer is kept until a write reaches
where it reads; what pages derive is kept and forgotten with it; one thread works an answer out."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from application.answers import Answers
from application.service_levels import month_report
from estate import load_estate
from estate.scope import PROVIDER, Scope
from presentation.sla import month_document
from tests.conftest import DEMO_NOW
from warehouse import Warehouse


@pytest.fixture(scope="module")
def demo(demo_build):
    paths, _ = demo_build
    with Warehouse.open(paths.warehouse, read_only=True) as warehouse:
        yield load_estate(paths.estate), warehouse


def test_each_councils_month_narrowed_is_its_own_month_report(demo):
    estate, warehouse = demo
    answers = Answers(estate, warehouse, lambda: DEMO_NOW)
    compared = 0
    for month in ("2026-10", "2026-11"):  # one over, one in progress
        for council in estate.councils:
            scope = Scope.council(council.id)
            narrowed = month_document(answers.month(month, scope))
            direct = month_document(month_report(estate, warehouse, month, scope=scope, now=DEMO_NOW))
            assert narrowed == direct, (month, council.id)
            assert narrowed["services"], (month, council.id)  # every council buys something
            compared += 1
    assert compared == 2 * len(estate.councils)
    assert answers.worked_out == 2  # the provider's month, once each


def test_a_month_over_is_kept_until_a_write_reaches_into_it(demo):
    estate, warehouse = demo
    answers = Answers(estate, warehouse, lambda: DEMO_NOW)
    september = answers.month("2026-09", PROVIDER)
    november = answers.month("2026-11", PROVIDER)
    assert answers.worked_out == 2
    assert answers.month("2026-09", PROVIDER) is september and answers.worked_out == 2
    # a collection writing this week: November (in progress) goes, September stays
    answers.written(datetime(2026, 11, 22, 9, tzinfo=UTC), datetime(2026, 11, 22, 10, tzinfo=UTC))
    assert answers.month("2026-09", PROVIDER) is september
    assert answers.month("2026-11", PROVIDER) is not november and answers.worked_out == 3
    # September reads to a day past its end (1 October 23:00 UTC): a write from then keeps it,
    # one just before reaches into it
    answers.written(datetime(2026, 10, 1, 23, tzinfo=UTC), datetime(2026, 10, 2, tzinfo=UTC))
    assert answers.month("2026-09", PROVIDER) is september
    answers.written(datetime(2026, 10, 1, 22, 59, 59, tzinfo=UTC), datetime(2026, 10, 2, tzinfo=UTC))
    assert answers.month("2026-09", PROVIDER) is not september


def test_what_a_page_derives_is_kept_and_forgotten_with_its_month(demo):
    estate, warehouse = demo
    answers = Answers(estate, warehouse, lambda: DEMO_NOW)
    made = []

    def work(label):
        made.append(label)
        return object()

    september = answers.derived(("part", "a"), "2026-09", lambda: work("september"))
    last_collection = answers.derived(("part", "b"), None, lambda: work("last collection"))
    assert answers.derived(("part", "a"), "2026-09", lambda: work("again")) is september
    assert answers.derived(("part", "b"), None, lambda: work("again")) is last_collection
    assert made == ["september", "last collection"]
    answers.written(datetime(2026, 11, 22, 9, tzinfo=UTC), datetime(2026, 11, 22, 10, tzinfo=UTC))
    assert answers.derived(("part", "a"), "2026-09", lambda: work("again")) is september
    assert answers.derived(("part", "b"), None, lambda: work("after the write")) is not last_collection
    answers.forget()
    assert answers.derived(("part", "a"), "2026-09", lambda: work("after forget")) is not september
    assert made == ["september", "last collection", "after the write", "after forget"]
    assert answers.worked_out == 0  # deriving reads nothing


def test_one_thread_works_an_answer_out_while_the_others_wait(demo):
    estate, warehouse = demo
    answers = Answers(estate, warehouse, lambda: DEMO_NOW)
    got = []
    threads = [
        threading.Thread(target=lambda: got.append(answers.month("2026-10", PROVIDER))) for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(got) == 6 and all(g is got[0] for g in got)
    assert answers.worked_out == 1
