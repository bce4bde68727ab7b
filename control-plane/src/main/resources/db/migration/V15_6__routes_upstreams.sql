-- Upstreams and routes of the REST API (package io.tollgate.controlplane.routing): each entry is
-- one element of tollgate.yaml's upstreams: or routes: list, stored as its canonical JSON. The
-- config file's entries are never stored: every replica reads them from its file.

CREATE TABLE routing_entry (
    -- kind/name, e.g. route/orders
    id           VARCHAR(72)    NOT NULL PRIMARY KEY,
    kind         VARCHAR(8)     NOT NULL,
    name         VARCHAR(63)    NOT NULL,
    definition   VARCHAR(65536) NOT NULL,
    -- the ETag: the routing version of the entry's last change (unique across re-creations)
    version      BIGINT         NOT NULL,
    lock_version BIGINT         NOT NULL
);

-- The version of all entries, bumped with every change: replicas poll it to pick up each other's.
CREATE TABLE routing_state (
    id      INTEGER NOT NULL PRIMARY KEY,
    version BIGINT  NOT NULL
);
INSERT INTO routing_state (id, version) VALUES (1, 0);

-- Hibernate Envers: the state of each entry after each change, in the limit rules' change sets.
CREATE TABLE routing_entry_aud (
    id         VARCHAR(72)    NOT NULL,
    rev        BIGINT         NOT NULL REFERENCES limit_rule_revision (id),
    revtype    SMALLINT,
    kind       VARCHAR(8),
    name       VARCHAR(63),
    definition VARCHAR(65536),
    version    BIGINT,
    PRIMARY KEY (id, rev)
);
CREATE INDEX routing_entry_aud_rev ON routing_entry_aud (rev);
