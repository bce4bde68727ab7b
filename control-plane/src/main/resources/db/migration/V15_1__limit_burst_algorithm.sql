-- How the rate-limit service counts each rule, mirrored from the rule's definition (the canonical
-- JSON, which stays the source of truth for history and restore) so it can be read and filtered in
-- SQL, as V12_1 mirrors the tier: algorithm (fixed_window | sliding_window) and burst (null: a
-- window; set: a token bucket of limit.requests + burst tokens). Rows written before this
-- migration are fixed windows without a burst: nothing else could be stored.
-- Version 15.1: the bursts branch's slot among the 15.x migrations (distinct versions merge).
ALTER TABLE limit_rule ADD COLUMN algorithm VARCHAR(16) DEFAULT 'fixed_window' NOT NULL;
ALTER TABLE limit_rule ADD COLUMN burst BIGINT;
ALTER TABLE limit_rule_aud ADD COLUMN algorithm VARCHAR(16);
ALTER TABLE limit_rule_aud ADD COLUMN burst BIGINT;
