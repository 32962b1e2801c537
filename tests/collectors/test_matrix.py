"""The range-query answer parser: a recorded answer, agreement with a plain JSON parse on random
answers, and one clear message for each kind of bad answer."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collectors.prometheus.matrix import AnswerError, parse_matrix

WHERE = "site dc1, query up, 2015-07-01T20:10:30Z..2015-07-01T20:11:15Z"

# The example answer of the Prometheus HTTP API documentation (range queries), as served.
RECORDED = (
    b'{"status":"success","data":{"resultType":"matrix","result":['
    b'{"metric":{"__name__":"up","job":"prometheus","instance":"localhost:9090"},'
    b'"values":[[1435781430.781,"1"],[1435781445.781,"1"],[1435781460.781,"1"]]},'
    b'{"metric":{"__name__":"up","job":"node","instance":"localhost:9091"},'
    b'"values":[[1435781430.781,"0"],[1435781445.781,"0"],[1435781460.781,"1"]]}]}}'
)


def test_the_documented_answer():
    first, second = parse_matrix(RECORDED, WHERE, window=(1435781430, 1435781475))
    assert first.labels == {"__name__": "up", "job": "prometheus", "instance": "localhost:9090"}
    assert first.times_s.tolist() == [1435781430.781, 1435781445.781, 1435781460.781]
    assert second.values.tolist() == [0.0, 0.0, 1.0]


def slow_parse(body: bytes) -> list[tuple[dict, list[float], list[float]]]:
    """The obvious way: a JSON library, a Python object per sample."""
    result = json.loads(body)["data"]["result"]
    return [
        (r["metric"], [float(t) for t, _ in r["values"]], [float(v) for _, v in r["values"]]) for r in result
    ]


values = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.sampled_from([math.nan, math.inf, -math.inf]),
)


def prometheus_text(value: float) -> str:
    """How Prometheus writes a sample value: NaN, +Inf, -Inf, else the shortest round-trip."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(value)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.dictionaries(
                st.sampled_from(["job", "instance", "site", "le"]), st.text(max_size=12), max_size=4
            ),
            st.lists(values, max_size=40),
            st.integers(1, 3600),
        ),
        max_size=6,
    ),
    st.booleans(),
)
def test_the_fast_parse_agrees_with_a_plain_json_parse(series, spaced):
    start = 1_700_000_000.0
    result = [
        {
            "metric": labels,
            "values": [[start + k * step + 0.125, prometheus_text(v)] for k, v in enumerate(samples)],
        }
        for labels, samples, step in series
    ]
    separators = (", ", ": ") if spaced else (",", ":")
    body = json.dumps(
        {"status": "success", "data": {"resultType": "matrix", "result": result}}, separators=separators
    ).encode()
    fast = parse_matrix(body, WHERE)
    slow = slow_parse(body)
    assert len(fast) == len(slow)
    for got, (labels, times, vals) in zip(fast, slow, strict=True):
        assert got.labels == labels
        assert got.times_s.tolist() == times
        np.testing.assert_array_equal(got.values, np.array(vals))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>502 Bad Gateway</html>", "the answer is not JSON"),
        (
            b'{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"]',
            "not JSON",
        ),
        (
            b'{"status":"error","errorType":"bad_data","error":"exceeded maximum resolution of 11,000 points per timeseries"}',
            "the server answered bad_data: exceeded maximum resolution",
        ),
        (
            b'{"status":"success","data":{"resultType":"vector","result":[]}}',
            "expected a matrix (range query) answer",
        ),
        (
            b'{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"job":"x"},"values":[[1700000000,"abc"]]}]}}',
            "series {'job': 'x'}: a sample is not a [time, \"value\"] pair of numbers",
        ),
        (
            b'{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"job":"x"},"values":[[1700000000]]}]}}',
            "a sample is not a [time",
        ),
        (
            b'{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"job":"x"},"values":[[1700000000000,"1"]]}]}}',
            "sample time 1700000000000.000 is outside the window asked for",
        ),
        (
            b'{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"job":"x"},"values":[[1700000060,"1"],[1700000000,"1"]]}]}}',
            "sample times are not in increasing order",
        ),
        (
            b'{"status":"success","data":{"resultType":"matrix","result":[{"values":[[1700000000,"1"]]}]}}',
            "a series without labels",
        ),
    ],
)
def test_each_bad_answer_gets_one_clear_message_naming_where(body, message):
    with pytest.raises(AnswerError) as refused:
        parse_matrix(body, WHERE, window=(1_699_999_000, 1_700_001_000))
    assert message in str(refused.value)
    assert str(refused.value).startswith(WHERE)


def test_an_empty_result_is_no_series():
    assert parse_matrix(b'{"status":"success","data":{"resultType":"matrix","result":[]}}', WHERE) == []
