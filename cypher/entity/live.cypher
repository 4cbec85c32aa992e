// Parameters: $targets (list of {kind, key})
// Columns: kind (string), key (string)
// Which of the given objects exist.
UNWIND $targets AS target
MATCH (n:Entity {entity_kind: target.kind, key: target.key})
RETURN n.entity_kind AS kind, n.key AS key
