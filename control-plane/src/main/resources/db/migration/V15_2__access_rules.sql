-- Allow and deny lists (package io.tollgate.controlplane.access): the REST API's entries. The
-- config file's entries are never stored: every replica reads them from its file.

CREATE TABLE access_rule (
    name         VARCHAR(63)    NOT NULL PRIMARY KEY,
    definition   VARCHAR(65536) NOT NULL,
    -- the ETag: the access rules version of the entry's last change (unique across re-creations)
    version      BIGINT         NOT NULL,
    lock_version BIGINT         NOT NULL
);

-- The version of all entries, bumped with every change: replicas poll it to pick up each other's.
CREATE TABLE access_rules_state (
    id      INTEGER NOT NULL PRIMARY KEY,
    version BIGINT  NOT NULL
);
INSERT INTO access_rules_state (id, version) VALUES (1, 0);

-- Hibernate Envers: the state of each entry after each change, in the change sets the limit rules
-- use (limit_rule_revision: who and when).
CREATE TABLE access_rule_aud (
    name       VARCHAR(63)    NOT NULL,
    rev        BIGINT         NOT NULL REFERENCES limit_rule_revision (id),
    revtype    SMALLINT,
    definition VARCHAR(65536),
    version    BIGINT,
    PRIMARY KEY (name, rev)
);
CREATE INDEX access_rule_aud_rev ON access_rule_aud (rev);
