-- 0008: explanations of outages (issue 13), written by operators and administrators and shown to
-- the council. An outage is its service and the instant it began (UTC); its end as known when
-- the explanation was written is kept, so an outage that runs on into the next month is found
-- there too. Edits are new versions; nothing is updated or deleted.
CREATE TABLE outage_explanations (
    service_id        VARCHAR NOT NULL,
    outage_start_utc  TIMESTAMP NOT NULL,
    version           INTEGER NOT NULL,
    outage_end_utc    TIMESTAMP NOT NULL,
    cause             VARCHAR NOT NULL,
    incident_ref      VARCHAR NOT NULL,
    explanation       VARCHAR NOT NULL,
    written_by        VARCHAR NOT NULL,
    written_at_utc    TIMESTAMP NOT NULL,
    PRIMARY KEY (service_id, outage_start_utc, version),
    CHECK (version >= 1),
    CHECK (outage_end_utc > outage_start_utc)
);
