// Parameters: $kind (string, e.g. 'organisation'), $keys (list of strings)
// Columns: props (map of the node's properties), refs (list of {type, key, pos}: the object's own
//   references: outgoing relationships, and for an engagement the incoming ENGAGES)
// The objects of one kind with the given keys, ordered by key.
MATCH (n:Entity)
WHERE n.entity_kind = $kind AND n.key IN $keys
RETURN n {.*} AS props,
       [(n)-[r]->(t) WHERE NOT r:ENGAGES | {type: type(r), key: t.key, pos: r.pos}]
         + [(n)<-[r:ENGAGES]-(t) | {type: type(r), key: t.key, pos: r.pos}] AS refs
ORDER BY n.key
