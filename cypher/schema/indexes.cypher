// Parameters: none
// Columns: none
// Secondary indexes, applied after the constraints by Neo4jStore.init_schema().
// engagement_status: the traversal and the public pages select engagements by status;
// audit_record_key / audit_record_actor: an object's history and a person's edits.
CREATE INDEX engagement_status IF NOT EXISTS FOR (e:Engagement) ON (e.status);
CREATE INDEX audit_record_key IF NOT EXISTS FOR (a:AuditRecord) ON (a.key);
CREATE INDEX audit_record_actor IF NOT EXISTS FOR (a:AuditRecord) ON (a.actor);
