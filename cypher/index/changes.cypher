// Parameters: $since (integer), $newest (integer)
// Columns: kind (string), key (string)
// What the audit records with ids in ($since, $newest] changed: the objects the flow index
// reads again (a range seek on the :AuditRecord(id) constraint).
MATCH (a:AuditRecord)
WHERE a.id > $since AND a.id <= $newest
RETURN a.kind AS kind, a.key AS key
