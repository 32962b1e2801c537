-- 0010: each attempt to email an issued report (issue 14): to whom, when, and what came of it.
-- Kept, never changed: the delivery log a council's contract manager can be shown.
CREATE TABLE report_deliveries (
    report_id         VARCHAR NOT NULL,
    revision          INTEGER NOT NULL,
    attempt           INTEGER NOT NULL,
    to_address        VARCHAR NOT NULL,
    attempted_at_utc  TIMESTAMP NOT NULL,
    outcome           VARCHAR NOT NULL,   -- sent, failed
    detail            VARCHAR NOT NULL,   -- the server's answer or the error, never a credential
    PRIMARY KEY (report_id, revision, attempt),
    CHECK (attempt >= 1),
    CHECK (outcome IN ('sent', 'failed'))
);
