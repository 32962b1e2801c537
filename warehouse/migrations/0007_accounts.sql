-- 0007: the dashboard's local accounts (issue 13). A password is kept only as its argon2id hash
-- (the encoded form with its salt and cost); the password itself is never stored, logged or
-- shown again after it is set. A council viewer is bound to one council; every other role to none.
CREATE TABLE accounts (
    username          VARCHAR NOT NULL PRIMARY KEY,
    role              VARCHAR NOT NULL,
    council_id        VARCHAR,
    password_hash     VARCHAR NOT NULL,
    created_at_utc    TIMESTAMP NOT NULL,
    password_set_utc  TIMESTAMP NOT NULL,
    CHECK (role IN ('administrator', 'operator', 'capacity-planner', 'manager', 'council-viewer')),
    CHECK ((role = 'council-viewer') = (council_id IS NOT NULL)),
    CHECK (password_hash LIKE '$argon2id$%')
);
