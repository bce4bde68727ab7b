-- Which tier enforces each rule (exact | approximate), mirrored from the rule's definition (the
-- canonical JSON, which stays the source of truth for history and restore) so the tier can be read
-- and filtered in SQL. Rows written before this migration are exact rules: that was the only tier.
-- Version 12.1: above the last released 12, and clear of the plain numbers other branches may take.
ALTER TABLE limit_rule ADD COLUMN accuracy VARCHAR(16) DEFAULT 'exact' NOT NULL;
ALTER TABLE limit_rule_aud ADD COLUMN accuracy VARCHAR(16);
