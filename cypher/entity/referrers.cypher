// Parameters: $kind (string), $key (string)
// Columns: kind (string), key (string), type (relationship type; the store maps it to a field)
// Every object whose references point at the given one: incoming relationships, and the
// engagements it exports through (ENGAGES is drawn from the exporter to the engagement).
MATCH (n:Entity {entity_kind: $kind, key: $key})
CALL (n) {
  MATCH (n)<-[r]-(src:Entity)
  WHERE NOT r:ENGAGES
  RETURN src, r
  UNION
  MATCH (n)-[r:ENGAGES]->(src:Entity)
  RETURN src, r
}
RETURN DISTINCT src.entity_kind AS kind, src.key AS key, type(r) AS type
ORDER BY kind, key, type
