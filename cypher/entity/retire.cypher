// Parameters: $kind (string), $key (string), $label (the kind's node label)
// Columns: none
// First half of a delete: drop the object's own references (as in entity/update) and
// swap its labels for :Retired, so the key is free again while references from other
// objects still reach the node for the end-of-write check (entity/retired_referrers).
// entity/purge removes the node once the check passed.
MATCH (n:Entity {entity_kind: $kind, key: $key})
OPTIONAL MATCH (n)-[r]->()
WHERE NOT r:ENGAGES
DELETE r
WITH DISTINCT n
OPTIONAL MATCH (n)<-[r:ENGAGES]-()
DELETE r
WITH DISTINCT n
REMOVE n:Entity:$($label)
SET n:Retired
