// Parameters: $at (ISO time), $actor, $action (create, update or delete), $kind, $key,
//   $before (JSON string or null), $after (JSON string or null)
// Columns: id (integer)
// One audit record, numbered by the :Counter {name: 'audit'} node in the same transaction
// (its write lock orders concurrent writers, so ids increase like an autoincrement). The
// counter is found by MATCH, not MERGE, as in audit/append_many (which says why).
OPTIONAL MATCH (existing:Counter {name: 'audit'})
FOREACH (_ IN CASE WHEN existing IS NULL THEN [1] ELSE [] END |
  MERGE (new:Counter {name: 'audit'}) ON CREATE SET new.value = 0)
WITH 1 AS one
MATCH (c:Counter {name: 'audit'})
SET c.value = c.value + 1
CREATE (a:AuditRecord {id: c.value, at: $at, actor: $actor, action: $action, kind: $kind,
                       key: $key, before: $before, after: $after})
RETURN a.id AS id
