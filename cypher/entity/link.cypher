// Parameters: $links (list of {from_kind, from_key, to_kind, to_key, type, pos}; the store
//   sets the direction and takes type from its fixed relationship mapping)
// Columns: none
// Create the reference relationships of the objects written in this transaction.
UNWIND $links AS link
MATCH (a:Entity {entity_kind: link.from_kind, key: link.from_key})
MATCH (b:Entity {entity_kind: link.to_kind, key: link.to_key})
CREATE (a)-[:$(link.type) {pos: link.pos}]->(b)
