// Parameters: $marker (a bulk import's id), $limit (integer: how many nodes per call)
// Columns: touched (integer: nodes deleted by this call; 0 when none are left)
// Undo a failed bulk import: delete up to $limit of the objects (with their relationships)
// and audit records it created. The store calls this until it touches nothing.
CALL () {
  MATCH (n:Entity {_import: $marker})
  WITH n LIMIT $limit
  DETACH DELETE n
  RETURN count(*) AS entities
}
CALL () {
  MATCH (a:AuditRecord {_import: $marker})
  WITH a LIMIT $limit
  DELETE a
  RETURN count(*) AS records
}
RETURN entities + records AS touched
