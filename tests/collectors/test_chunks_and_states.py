"""Range-query chunks and probe samples to state intervals: the brief's examples, properties and
a second-by-second brute force."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from collectors.prometheus.chunks import chunks
from collectors.prometheus.states import Interval, probe_intervals

T10 = 36_000  # 10:00:00 as seconds of a day, for readable examples


def test_chunks_stay_under_the_limit_and_share_no_point():
    # One day of 15 s steps is 5,760 points: one query. Two days, 11,520: two, the second
    # starting one step after the first ends.
    (one,) = chunks(0, 86_400, 15)
    assert (one.start_s, one.end_s, one.points) == (0, 86_385, 5_760)
    first, second = chunks(0, 2 * 86_400, 15)
    assert (first.points, second.points, second.start_s - first.end_s) == (11_000, 520, 15)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 200_000), st.integers(1, 600), st.integers(1, 500))
def test_chunks_ask_for_every_point_of_the_window_once(start_steps, length, step, limit):
    start = start_steps * step
    end = start + length
    points = [p for c in chunks(start, end, step, limit) for p in range(c.start_s, c.end_s + 1, c.step_s)]
    assert points == list(range(start, end, step))
    assert all(c.points <= limit for c in chunks(start, end, step, limit))


def test_the_briefs_examples():
    # Samples at 10:00:00 = down and 10:30:00 = up, every minute between down: 30 minutes down.
    times = [T10 + 60 * k for k in range(31)]
    values = [0.0] * 30 + [1.0]
    got = probe_intervals(times, values, 60, T10, T10 + 3600)
    assert got[0] == Interval(T10, T10 + 1800, "down")
    assert got[1] == Interval(T10 + 1800, T10 + 1860, "up")
    # A last sample at 08:59:00, then silence until 11:00:00: 09:00:00-11:00:00 unmonitored.
    got = probe_intervals([T10 - 3660, T10 + 3600], [1.0, 1.0], 60, T10 - 3660, T10 + 3660)
    assert got == [
        Interval(T10 - 3660, T10 - 3600, "up"),
        Interval(T10 - 3600, T10 + 3600, "unmonitored", "no-samples"),
        Interval(T10 + 3600, T10 + 3660, "up"),
    ]


def test_a_sample_from_before_the_window_stands_into_it_and_silence_is_unmonitored():
    got = probe_intervals([T10 - 30], [0.0], 60, T10, T10 + 120, gap_cause="prometheus-unreachable")
    assert got == [
        Interval(T10, T10 + 30, "down"),
        Interval(T10 + 30, T10 + 120, "unmonitored", "prometheus-unreachable"),
    ]
    assert probe_intervals([], [], 60, T10, T10 + 60) == [
        Interval(T10, T10 + 60, "unmonitored", "no-samples")
    ]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 200), st.booleans()), max_size=40),
    st.integers(10, 90),
    st.integers(0, 300),
    st.integers(1, 3000),
)
def test_intervals_agree_with_a_second_by_second_reading_of_the_rule(gaps, interval, offset, length):
    times, values, t = [], [], 0
    for gap, up in gaps:
        t += gap
        times.append(t)
        values.append(1.0 if up else 0.0)
    start, end = offset, offset + length
    got = probe_intervals(times, values, interval, start, end)
    # Cover the window exactly, in order, without gaps or overlaps.
    assert got[0].start_s == start and got[-1].end_s == end
    assert all(a.end_s == b.start_s for a, b in zip(got, got[1:], strict=False))
    painted = {x: (i.state, i.cause) for i in got for x in range(i.start_s, i.end_s)}
    for x in range(start, end):
        earlier = [k for k, s in enumerate(times) if s <= x]
        expected = ("unmonitored", "no-samples")
        if earlier:
            k = earlier[-1]
            following = times[k + 1] if k + 1 < len(times) else None
            stands = (
                following
                if following is not None and 2 * (following - times[k]) <= 3 * interval
                else times[k] + interval
            )
            if x < stands:
                expected = ("up" if values[k] else "down", None)
        assert painted[x] == expected, x


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 200), st.sampled_from(["up", "down", "refused"])), max_size=30),
    st.integers(10, 90),
    st.integers(0, 300),
    st.integers(1, 3000),
)
def test_a_gap_holding_a_refused_sample_takes_its_cause(samples, interval, offset, length):
    """A refused sample is no sample; the unmonitored stretch it falls in (or stands into, from
    up to one interval before) is `prometheus-bad-answer`, every other stretch `no-samples`."""
    good_times, good_values, refused, t = [], [], [], 0
    for gap, kind in samples:
        t += gap
        if kind == "refused":
            refused.append(t)
        else:
            good_times.append(t)
            good_values.append(1.0 if kind == "up" else 0.0)
    start, end = offset, offset + length
    got = probe_intervals(
        good_times, good_values, interval, start, end, refused_times_s=refused, refused_cause="bad"
    )
    plain = probe_intervals(good_times, good_values, interval, start, end)
    # the states are those of the good samples alone
    painted = {x: i.state for i in got for x in range(i.start_s, i.end_s)}
    assert painted == {x: i.state for i in plain for x in range(i.start_s, i.end_s)}
    # each maximal unmonitored stretch, found second by second, has the cause the rule gives
    x = start
    while x < end:
        if painted[x] != "unmonitored":
            x += 1
            continue
        stretch_end = x
        while stretch_end < end and painted[stretch_end] == "unmonitored":
            stretch_end += 1
        expected = "bad" if any(x - interval < r < stretch_end for r in refused) else "no-samples"
        causes = {i.cause for i in got if i.start_s < stretch_end and i.end_s > x}
        assert causes == {expected}, (x, stretch_end)
        x = stretch_end
