// Parameters: $nodes (list of {kind, key}: every object at either end of a relationship, each
//   once), $links (list of {a, b, type, pos}: a and b are positions in $nodes, from a to b;
//   the store sets the direction and takes type from its fixed relationship mapping; pos is
//   null where it is 0, and then not stored)
// Columns: none
// Create the reference relationships of the objects written in this transaction. Each node is
// looked up once, however many relationships it takes part in (an import links a category to
// thousands of engagements).
UNWIND range(0, size($nodes) - 1) AS i
OPTIONAL MATCH (n:Entity {entity_kind: $nodes[i].kind, key: $nodes[i].key})
WITH i, n ORDER BY i
WITH collect(n) AS found
UNWIND $links AS link
WITH found[link.a] AS a, found[link.b] AS b, link
CREATE (a)-[:$(link.type) {pos: link.pos}]->(b)
