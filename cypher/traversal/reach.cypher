// Parameters: $starts (list of organisation keys), $category (category key), $on (ISO date),
//   $planned (boolean: planned engagements count as in force), $groups (list of subject
//   group keys, or null for any), $max_depth (integer, 0 to 16: hops from a start)
// Columns: props (map), refs (list of {type, key, pos}) of each engagement reached
//
// An engagement carries the flow when it is in force on $on (the rule of
// Engagement.in_force), carries a category matching $category (the same key, an ancestor
// or a descendant) and, with $groups, names one of them or no group at all. The predicate
// is written out twice below, once per step: keep the two copies identical.
//
// Step 1: the organisations whose shortest distance from a start, along engagements that
// carry the flow, is at most $max_depth - 1 hops. A hop is two relationships,
// (exporter)-[:ENGAGES]->(engagement)-[:ENGAGED]->(importer), so the pattern is a
// directed variable-length path over both types; the node predicate inside all()
// keeps every engagement on it to those carrying the flow. With DISTINCT ends and the
// minimum length, the planner runs this as a pruning breadth-first expansion
// (VarLengthExpand(Pruning,BFS)): every node is visited once, cycles stop there, and no
// path is enumerated. The bound of a variable-length pattern cannot be a parameter, so
// *0..30 is a fixed ceiling (max_depth 16, far beyond real sub-processor chains; the
// store caps $max_depth to it) and the distance filter applies $max_depth.
MATCH (s:Organisation)
WHERE s.key IN $starts
MATCH p = (s)-[:ENGAGES|ENGAGED*0..30]->(x:Organisation)
WHERE all(e IN nodes(p) WHERE e:Organisation OR (
        ((e.status = 'planned' AND $planned)
         OR ((e.status = 'active' OR (e.status = 'ended' AND e.end_date IS NOT NULL))
             AND coalesce(e.effective_date, '') <= $on
             AND (e.end_date IS NULL OR e.end_date > $on)))
        AND EXISTS { (e)-[:CARRIES]->(c:Category)
                     WHERE c.key = $category OR $category STARTS WITH c.key + '.'
                        OR c.key STARTS WITH $category + '.' }
        AND ($groups IS NULL
             OR NOT EXISTS { (e)-[:CONCERNS]->(:SubjectGroup) }
             OR EXISTS { (e)-[:CONCERNS]->(g:SubjectGroup) WHERE g.key IN $groups })))
WITH x, min(length(p)) AS distance
WHERE distance <= 2 * ($max_depth - 1)
// Step 2: every engagement carrying the flow out of a reached organisation, including
// those leading back into the reached set (a cycle) that no shortest path uses.
// No label on e: ENGAGES only ever leads to an engagement, and with the label the planner
// may seek every engagement by status and join (measured: 78 million rows, 7 minutes).
MATCH (x)-[:ENGAGES]->(e)
WHERE ((e.status = 'planned' AND $planned)
       OR ((e.status = 'active' OR (e.status = 'ended' AND e.end_date IS NOT NULL))
           AND coalesce(e.effective_date, '') <= $on
           AND (e.end_date IS NULL OR e.end_date > $on)))
  AND EXISTS { (e)-[:CARRIES]->(c:Category)
               WHERE c.key = $category OR $category STARTS WITH c.key + '.'
                  OR c.key STARTS WITH $category + '.' }
  AND ($groups IS NULL
       OR NOT EXISTS { (e)-[:CONCERNS]->(:SubjectGroup) }
       OR EXISTS { (e)-[:CONCERNS]->(g:SubjectGroup) WHERE g.key IN $groups })
WITH DISTINCT e
RETURN e {.*} AS props,
       [(e)-[r]->(t) WHERE NOT r:ENGAGES | {type: type(r), key: t.key, pos: r.pos}]
         + [(e)<-[r:ENGAGES]-(t) | {type: type(r), key: t.key, pos: r.pos}] AS refs
ORDER BY e.key
