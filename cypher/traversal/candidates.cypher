// Parameters: $category (category key asked about), $on (ISO date), $planned (boolean:
//   planned engagements count as in force), $groups (list of subject group keys, or null for any)
// Columns: key, exporter, importer (keys) of every engagement that could carry the flow
//
// The candidate flow edges, read in one query and walked in Python (registry/store/traversal.py):
// engagements carrying a category matching $category (the same key, an ancestor or a
// descendant: the rule of category_matches), and engagements recording no category at all
// (the registry does not know what they receive, so they cannot be left out); in force on
// $on (the rule of Engagement.in_force); with $groups, naming one of them or no group.
// tests/contract/test_reach.py checks both copied rules against the Python ones.
CALL () {
  MATCH (cat:Category)
  WHERE cat.key = $category OR $category STARTS WITH cat.key + '.' OR cat.key STARTS WITH $category + '.'
  MATCH (cat)<-[:CARRIES]-(e:Engagement)
  RETURN e
  UNION
  MATCH (e:Engagement)
  WHERE NOT EXISTS { (e)-[:CARRIES]->(:Category) }
  RETURN e
}
WITH e
WHERE ((e.status = 'planned' AND $planned)
       OR ((e.status = 'active' OR (e.status = 'ended' AND e.end_date IS NOT NULL))
           AND coalesce(e.effective_date, '') <= $on
           AND (e.end_date IS NULL OR e.end_date > $on)))
  AND ($groups IS NULL
       OR NOT EXISTS { (e)-[:CONCERNS]->(:SubjectGroup) }
       OR EXISTS { (e)-[:CONCERNS]->(g:SubjectGroup) WHERE g.key IN $groups })
MATCH (x:Organisation)-[:ENGAGES]->(e)-[:ENGAGED]->(y:Organisation)
RETURN e.key AS key, x.key AS exporter, y.key AS importer
