-- 0002: reports once issued are kept unchanged; a correction is a new revision saying why.
CREATE TABLE issued_reports (
    report_id       VARCHAR NOT NULL,   -- for example sla/fylde/2026-10
    revision        INTEGER NOT NULL,
    kind            VARCHAR NOT NULL,   -- sla, savings
    council_id      VARCHAR,
    period          VARCHAR NOT NULL,
    issued_at_utc   TIMESTAMP NOT NULL,
    content_sha256  VARCHAR NOT NULL,
    reason          VARCHAR NOT NULL,   -- 'first issue' or what the correction changed and why
    content         BLOB NOT NULL,
    PRIMARY KEY (report_id, revision)
);
