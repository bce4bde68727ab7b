-- A reload after a write reads only the rules written since the rule set it holds
-- (WHERE version > ?): an index range scan of the new rows instead of the whole table.
-- Version 15.3: the rest-scale change's slot beside the other 15.x migrations.
CREATE INDEX limit_rule_version ON limit_rule (version);
