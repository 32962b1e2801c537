"""SQL fragments the queries share: fixed text with `?` placeholders, formatted only with this
package's own column names, never with request text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

# A scope's filter: the rows of these ids only, or every row when the bound list is NULL. The
# column name is one of this module's own, never request text.
ONLY = "(?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], {column}))"
# A sum of floats that comes out the same whatever order DuckDB's threads add the rows in: each
# term to the nano-unit as an integer, added exactly, then back. A parallel float sum differs in
# its last bit from run to run, enough to flip a figure shown to three decimals (55.0355) or a
# penny of a split; a nano-unit is far below anything shown.
EXACT_SUM = "(CAST(sum(CAST(round(({expression}) * 1e9) AS BIGINT)) AS DOUBLE) / 1e9)"  # sum() widens


def _offsets(tz: ZoneInfo, start: datetime, end: datetime) -> list[tuple[datetime | None, int]]:
    """The zone's UTC offsets over [start, end) as (from this naive UTC instant, offset seconds),
    the first from the beginning: found day by day, each change pinned to the hour (UK clocks
    change at 01:00 UTC)."""

    def offset(moment: datetime) -> int:
        return int(moment.replace(tzinfo=UTC).astimezone(tz).utcoffset().total_seconds())

    moment = start.replace(minute=0, second=0, microsecond=0) - timedelta(days=1)
    spans: list[tuple[datetime | None, int]] = [(None, offset(moment))]
    while moment < end + timedelta(days=1):
        following = moment + timedelta(days=1)
        if offset(following) != spans[-1][1]:
            hour = moment
            while offset(hour) == spans[-1][1]:
                hour += timedelta(hours=1)
            spans.append((hour, offset(hour)))
        moment = following
    return spans


def local_clock(column: str, time_zone: str, start: datetime, end: datetime) -> tuple[str, list]:
    """The wall-clock time in the estate's zone of a naive UTC `column`, for rows in [start, end),
    as SQL and its parameters: the column plus its UTC offset, the offsets worked out here with
    zoneinfo and bound as parameters. (DuckDB's own timezone() per row took 2.4 s over a year of
    a reference estate's hours against 0.27 s for this.) Calendars are cut in the estate's zone,
    never by UTC."""
    naive = [
        t.replace(tzinfo=None) if t.tzinfo is None else t.astimezone(UTC).replace(tzinfo=None)
        for t in (start, end)
    ]
    spans = _offsets(ZoneInfo(time_zone), *naive)
    if len(spans) == 1:
        return f"({column} + to_seconds(?::BIGINT))", [spans[0][1]]
    cases, params = [], []
    for (_, before), (changes_at, _) in zip(spans, spans[1:], strict=False):
        cases.append(f"WHEN {column} < ? THEN ?::BIGINT")
        params += [changes_at, before]
    return f"({column} + to_seconds(CASE {' '.join(cases)} ELSE ?::BIGINT END))", [*params, spans[-1][1]]
