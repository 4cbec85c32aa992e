// Parameters: $kind (string), $rows (list of {key, props}: props replaces every property;
//   one row per key)
// Columns: none
// Replace objects' properties and drop their own references (re-linked by entity/link).
// An object's own references are its outgoing relationships, except ENGAGES, which
// points into an engagement from its exporter.
UNWIND $rows AS row
MATCH (n:Entity {entity_kind: $kind, key: row.key})
SET n = row.props
WITH n
OPTIONAL MATCH (n)-[r]->()
WHERE NOT r:ENGAGES
DELETE r
WITH DISTINCT n
OPTIONAL MATCH (n)<-[r:ENGAGES]-()
DELETE r
