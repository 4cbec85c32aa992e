// Parameters: $starts (organisation keys), $category (category key), $on (ISO date)
// Columns: reached (how many organisations)
// The raw Neo4j engine for the benchmark: organisations reachable from $starts along active
// engagements carrying a matching category, as one variable-length pattern (a pruning BFS).
// (Counted by key: "WITH DISTINCT x RETURN count(x)" over this pattern gave 2,323 of 500
// organisations on Neo4j 5.26.)
MATCH (s:Organisation)
WHERE s.key IN $starts
MATCH p = (s)-[:ENGAGES|ENGAGED*0..30]->(x:Organisation)
WHERE all(n IN nodes(p) WHERE n:Organisation OR (
        n.status = 'active' AND coalesce(n.effective_date, '') <= $on
        AND EXISTS { (n)-[:CARRIES]->(c:Category)
                     WHERE c.key = $category OR c.key STARTS WITH $category + '.'
                        OR $category STARTS WITH c.key + '.' }))
RETURN count(DISTINCT x.key) AS reached
