"""SQL fragments the queries share: fixed text with `?` placeholders, formatted only with this
package's own column names, never with request text."""

# A scope's filter: the rows of these ids only, or every row when the bound list is NULL. The
# column name is one of this module's own, never request text.
ONLY = "(?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], {column}))"
# A naive UTC column as wall-clock time in the estate's zone (bound once, before the query's own
# parameters): calendars are cut in the estate's zone, never by UTC.
LOCAL = "timezone(?::VARCHAR, {column} AT TIME ZONE 'UTC')"
# A sum of floats that comes out the same whatever order DuckDB's threads add the rows in: each
# term to the nano-unit as an integer, added exactly, then back. A parallel float sum differs in
# its last bit from run to run, enough to flip a figure shown to three decimals (55.0355) or a
# penny of a split; a nano-unit is far below anything shown.
EXACT_SUM = "(CAST(sum(CAST(round(({expression}) * 1e9) AS HUGEINT)) AS DOUBLE) / 1e9)"
# The local midnight (as naive UTC) that begins the estate-zone day holding a naive UTC column;
# the zone is bound twice, as parameters, before the query's own.
LOCAL_MIDNIGHT = "timezone('UTC', timezone(?::VARCHAR, date_trunc('day', timezone(?::VARCHAR, {column} AT TIME ZONE 'UTC'))))"
