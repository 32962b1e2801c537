-- 0006: the successful probes' durations themselves, for response times exact to 10 ms
-- (docs/sla.md, "Response time"; the forms measured: docs/performance.md). One row per endpoint
-- and UTC day: slot k holds the probe taken at about day + phase_seconds + k x interval_seconds
-- (the series' own phase, so a probe's jitter of milliseconds never moves it to another slot),
-- as its duration in 10 ms ticks, or NULL when no successful probe was taken then. The hourly
-- p95s in probe_durations are the older, coarser form: kept as they were, read only where no
-- probe of the day is held.
CREATE TABLE probe_duration_days (
    endpoint_id       VARCHAR NOT NULL,
    service_id        VARCHAR NOT NULL,
    site_id           VARCHAR NOT NULL,
    day_utc           DATE NOT NULL,
    interval_seconds  INTEGER NOT NULL,
    phase_seconds     INTEGER NOT NULL,
    ticks             SMALLINT[] NOT NULL,
    PRIMARY KEY (endpoint_id, day_utc),
    CHECK (interval_seconds > 0 AND phase_seconds >= 0 AND phase_seconds < interval_seconds)
);
