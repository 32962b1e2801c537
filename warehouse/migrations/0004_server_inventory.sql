-- 0004: the server inventory as the CMDB exported it, one snapshot per export date, so the
-- estate can be reconciled against it and its changes dated later.
CREATE TABLE server_inventory (
    snapshot_date  DATE NOT NULL,      -- the day the export describes
    server_id      VARCHAR NOT NULL,   -- the CMDB name, lower case
    site_id        VARCHAR NOT NULL,
    kind           VARCHAR NOT NULL,   -- physical or virtual
    cores          INTEGER NOT NULL,
    memory_gib     DOUBLE NOT NULL,
    storage_gib    DOUBLE,             -- NULL when the CMDB has no figure
    status         VARCHAR NOT NULL,   -- the CMDB's install status, as exported
    in_service     BOOLEAN NOT NULL,   -- Installed, In Maintenance or Pending Repair
    source         VARCHAR NOT NULL,   -- the file it came from
    source_line    INTEGER NOT NULL,
    PRIMARY KEY (snapshot_date, server_id),
    CHECK (cores > 0 AND memory_gib > 0)
);
