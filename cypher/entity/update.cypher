// Parameters: $kind (string), $key (string), $props (map, replaces every property)
// Columns: none
// Replace an object's properties and drop its own references (re-linked by entity/link).
// An object's own references are its outgoing relationships, except ENGAGES, which
// points into an engagement from its exporter.
MATCH (n:Entity {entity_kind: $kind, key: $key})
SET n = $props
WITH n
OPTIONAL MATCH (n)-[r]->()
WHERE NOT r:ENGAGES
DELETE r
WITH DISTINCT n
OPTIONAL MATCH (n)<-[r:ENGAGES]-()
DELETE r
