-- 0003: one-off maintenance windows taken from the change calendar (iCalendar feed),
-- in addition to the recurring windows agreed in contracts.
CREATE TABLE maintenance_windows (
    service_id     VARCHAR NOT NULL,
    start_utc      TIMESTAMP NOT NULL,
    end_utc        TIMESTAMP NOT NULL,
    source         VARCHAR NOT NULL,   -- the feed or file it came from
    reference      VARCHAR NOT NULL,   -- the change or event id
    summary        VARCHAR NOT NULL DEFAULT '',
    CHECK (end_utc > start_utc)
);
