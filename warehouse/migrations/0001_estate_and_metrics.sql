-- 0001: the estate snapshot and the metrics collected from the sites.
-- Timestamps are UTC, stored as TIMESTAMP without a zone; columns that hold them end in _utc.

CREATE TABLE estate_snapshots (
    snapshot_sha256      VARCHAR PRIMARY KEY,   -- of the canonical JSON of the estate
    first_loaded_at_utc  TIMESTAMP NOT NULL,
    source_path          VARCHAR,
    estate_json          JSON NOT NULL
);

-- The estate in force: replaced as a whole each time a configuration is loaded.
CREATE TABLE sites (
    site_id         VARCHAR PRIMARY KEY,
    name            VARCHAR NOT NULL,
    prometheus_url  VARCHAR NOT NULL
);
CREATE TABLE councils (
    council_id   VARCHAR PRIMARY KEY,
    name         VARCHAR NOT NULL,
    is_provider  BOOLEAN NOT NULL
);
CREATE TABLE services (
    service_id       VARCHAR PRIMARY KEY,
    name             VARCHAR NOT NULL,
    mode             VARCHAR NOT NULL,
    tenancy          VARCHAR NOT NULL,
    criticality      VARCHAR NOT NULL,
    in_service_from  DATE
);
CREATE TABLE service_sites (service_id VARCHAR NOT NULL, site_id VARCHAR NOT NULL);
CREATE TABLE service_councils (service_id VARCHAR NOT NULL, council_id VARCHAR NOT NULL);
CREATE TABLE endpoints (
    endpoint_id             VARCHAR NOT NULL,  -- service_id@site_id
    service_id              VARCHAR NOT NULL,
    site_id                 VARCHAR NOT NULL,
    target                  VARCHAR NOT NULL,
    probe_interval_seconds  INTEGER NOT NULL
);
CREATE TABLE datasets (
    dataset_id             VARCHAR PRIMARY KEY,
    service_id             VARCHAR NOT NULL,
    site_id                VARCHAR NOT NULL,
    replicated_to_site_id  VARCHAR
);
CREATE TABLE servers (
    server_id        VARCHAR PRIMARY KEY,
    site_id          VARCHAR NOT NULL,
    role             VARCHAR NOT NULL,
    kind             VARCHAR NOT NULL,
    cores            INTEGER NOT NULL,
    memory_gib       DOUBLE NOT NULL,
    storage_gib      DOUBLE NOT NULL,
    annual_cost_gbp  DECIMAL(14, 2) NOT NULL
);
CREATE TABLE server_services (server_id VARCHAR NOT NULL, service_id VARCHAR NOT NULL);
CREATE TABLE contracts (
    council_id      VARCHAR NOT NULL,
    service_id      VARCHAR NOT NULL,
    effective_from  VARCHAR NOT NULL,  -- YYYY-MM
    effective_until VARCHAR,           -- YYYY-MM, last month in force
    terms_json      JSON NOT NULL
);

-- Utilisation per server and metric: the mean and the peak of each interval.
-- interval_seconds 3600 is the collected resolution; 86400 rows are daily rollups of it.
CREATE TABLE utilisation (
    server_id           VARCHAR NOT NULL,
    site_id             VARCHAR NOT NULL,
    metric              VARCHAR NOT NULL,   -- cpu_percent, memory_percent, storage_percent, network_mbps
    interval_seconds    INTEGER NOT NULL,
    interval_start_utc  TIMESTAMP NOT NULL,
    mean_value          DOUBLE NOT NULL,
    peak_value          DOUBLE NOT NULL,
    CHECK (peak_value >= mean_value)
);

-- Availability as state intervals per endpoint and site; [start_utc, end_utc).
CREATE TABLE availability_intervals (
    endpoint_id  VARCHAR NOT NULL,
    service_id   VARCHAR NOT NULL,
    site_id      VARCHAR NOT NULL,
    start_utc    TIMESTAMP NOT NULL,
    end_utc      TIMESTAMP NOT NULL,
    state        VARCHAR NOT NULL,
    cause        VARCHAR,   -- why unmonitored; NULL for up and down
    CHECK (end_utc > start_utc),
    CHECK (state IN ('up', 'down', 'unmonitored')),
    CHECK ((state = 'unmonitored') = (cause IS NOT NULL))
);

-- Probe response times per endpoint and interval.
CREATE TABLE probe_durations (
    endpoint_id         VARCHAR NOT NULL,
    service_id          VARCHAR NOT NULL,
    site_id             VARCHAR NOT NULL,
    interval_seconds    INTEGER NOT NULL,
    interval_start_utc  TIMESTAMP NOT NULL,
    mean_seconds        DOUBLE NOT NULL,
    p95_seconds         DOUBLE NOT NULL,
    max_seconds         DOUBLE NOT NULL
);

-- Backup job results; a successful job's finish is a completion (a recovery point).
CREATE TABLE backup_jobs (
    dataset_id       VARCHAR NOT NULL,
    site_id          VARCHAR NOT NULL,
    source           VARCHAR NOT NULL,   -- prometheus, veeam-csv, demo, ...
    job_name         VARCHAR NOT NULL,
    started_at_utc   TIMESTAMP NOT NULL,
    finished_at_utc  TIMESTAMP NOT NULL,
    status           VARCHAR NOT NULL,
    CHECK (status IN ('success', 'warning', 'failed')),
    CHECK (finished_at_utc >= started_at_utc)
);

-- Replication lag samples between the sites.
CREATE TABLE replication_lag (
    dataset_id      VARCHAR NOT NULL,
    from_site_id    VARCHAR NOT NULL,
    to_site_id      VARCHAR NOT NULL,
    sampled_at_utc  TIMESTAMP NOT NULL,
    lag_seconds     DOUBLE NOT NULL,
    CHECK (lag_seconds >= 0)
);

-- Every collection run and the window it covered.
CREATE TABLE collection_runs (
    run_id            VARCHAR PRIMARY KEY,
    source            VARCHAR NOT NULL,
    site_id           VARCHAR NOT NULL,
    window_start_utc  TIMESTAMP NOT NULL,
    window_end_utc    TIMESTAMP NOT NULL,
    started_at_utc    TIMESTAMP NOT NULL,
    finished_at_utc   TIMESTAMP,
    status            VARCHAR NOT NULL,   -- running, ok, partial, failed
    rows_written      BIGINT NOT NULL DEFAULT 0,
    message           VARCHAR
);

-- How far each source has been collected at each site.
CREATE TABLE collection_watermarks (
    site_id              VARCHAR NOT NULL,
    source               VARCHAR NOT NULL,
    collected_until_utc  TIMESTAMP NOT NULL,
    PRIMARY KEY (site_id, source)
);
