// Parameters: $kind (string), $key (string)
// Columns: props (map), refs (list of {type, key, pos}: the object's own references)
// The current state of one object, write-locked for the rest of the transaction so
// that its version cannot change between this check and the write.
MATCH (n:Entity {entity_kind: $kind, key: $key})
SET n._lock = true
REMOVE n._lock
RETURN n {.*} AS props,
       [(n)-[r]->(t) WHERE NOT r:ENGAGES | {type: type(r), key: t.key, pos: r.pos}]
         + [(n)<-[r:ENGAGES]-(t) | {type: type(r), key: t.key, pos: r.pos}] AS refs
