// Parameters: $category (category key asked about), $start (organisation key or null),
//   $groups (list of subject group keys, or null for any)
// Columns: props (map), refs (list of {type, key, pos}) of each matching collection
// Where the category is collected: collections of a matching category (the same key, an
// ancestor or a descendant of it), at $start only when given, of one of $groups when given.
MATCH (cat:Category)
WHERE cat.key = $category OR $category STARTS WITH cat.key + '.' OR cat.key STARTS WITH $category + '.'
MATCH (c:Collection)-[:COLLECTS]->(cat)
WHERE ($start IS NULL OR EXISTS { (c)-[:COLLECTED_BY]->(:Organisation {key: $start}) })
  AND ($groups IS NULL OR EXISTS { (c)-[:CONCERNS]->(g:SubjectGroup) WHERE g.key IN $groups })
WITH DISTINCT c
RETURN c {.*} AS props,
       [(c)-[r]->(t) | {type: type(r), key: t.key, pos: r.pos}] AS refs
ORDER BY c.key
