// Parameters: $kind (string), $keys (list of strings)
// Columns: key (string), props (map), refs (list of {type, key, pos}: the object's own references)
// The current state of the given objects of one kind (those that exist), write-locked for
// the rest of the transaction so that their versions cannot change between the check and
// the write.
UNWIND $keys AS wanted
MATCH (n:Entity {entity_kind: $kind, key: wanted})
SET n._lock = true
REMOVE n._lock
RETURN n.key AS key, n {.*} AS props,
       [(n)-[r]->(t) WHERE NOT r:ENGAGES | {type: type(r), key: t.key, pos: r.pos}]
         + [(n)<-[r:ENGAGES]-(t) | {type: type(r), key: t.key, pos: r.pos}] AS refs
