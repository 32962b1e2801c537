-- 0005: servers found from a site's Prometheus labels ([[server_discovery]]), as the last
-- discovery that kept any found them. Replaced per site, in one transaction, by each discovery
-- that worked; one that failed leaves what is here.
CREATE TABLE discovered_servers (
    site_id            VARCHAR NOT NULL,
    server_id          VARCHAR NOT NULL,
    role               VARCHAR NOT NULL,
    services           VARCHAR[] NOT NULL,   -- service ids, possibly none
    cores              INTEGER NOT NULL,
    memory_gib         DOUBLE NOT NULL,
    storage_gib        DOUBLE NOT NULL,      -- 0 when the exporter showed no root filesystem
    annual_cost_gbp    DECIMAL(14, 2) NOT NULL,
    selector           VARCHAR NOT NULL,     -- the [[server_discovery]] selector that found it
    discovered_at_utc  TIMESTAMP NOT NULL,   -- the instant the site's labels were read at
    PRIMARY KEY (site_id, server_id),
    CHECK (cores > 0 AND memory_gib > 0 AND storage_gib >= 0 AND annual_cost_gbp >= 0)
);
