// Parameters: $targets (list of {kind, key}: the objects one committed batch of a bulk import
//   created), $first, $last (integers: the ids of the audit records that batch appended)
// Columns: none
// Undo one committed batch of a failed bulk import: delete its objects, with their
// relationships, and its audit records. The store runs it for each batch that had committed.
CALL () {
  UNWIND $targets AS t
  MATCH (n:Entity {entity_kind: t.kind, key: t.key})
  DETACH DELETE n
}
CALL () {
  MATCH (a:AuditRecord)
  WHERE $first <= a.id <= $last
  DELETE a
}
