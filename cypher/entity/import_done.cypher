// Parameters: $marker (a bulk import's id), $limit (integer: how many nodes per call)
// Columns: touched (integer: nodes unmarked by this call; 0 when none are left)
// Finish a bulk import: remove its id from up to $limit of the objects and audit records
// it created. The store calls this until it touches nothing.
CALL () {
  MATCH (n:Entity {_import: $marker})
  WITH n LIMIT $limit
  REMOVE n._import
  RETURN count(*) AS entities
}
CALL () {
  MATCH (a:AuditRecord {_import: $marker})
  WITH a LIMIT $limit
  REMOVE a._import
  RETURN count(*) AS records
}
RETURN entities + records AS touched
