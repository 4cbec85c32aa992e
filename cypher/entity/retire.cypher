// Parameters: $kind (string), $keys (list of strings), $label (the kind's node label)
// Columns: none
// First half of a delete: drop the objects' own references (as in entity/update) and
// swap their labels for :Retired, so the keys are free again while references from other
// objects still reach the nodes for the end-of-write check (entity/retired_referrers).
// entity/purge removes the nodes once the check passed.
UNWIND $keys AS gone
MATCH (n:Entity {entity_kind: $kind, key: gone})
OPTIONAL MATCH (n)-[r]->()
WHERE NOT r:ENGAGES
DELETE r
WITH DISTINCT n
OPTIONAL MATCH (n)<-[r:ENGAGES]-()
DELETE r
WITH DISTINCT n
REMOVE n:Entity:$($label)
SET n:Retired
