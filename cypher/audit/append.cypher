// Parameters: $at (ISO time), $actor, $action (create, update or delete), $kind, $key,
//   $before (JSON string or null), $after (JSON string or null)
// Columns: id (integer)
// One audit record, numbered by the :Counter {name: 'audit'} node in the same transaction
// (its write lock orders concurrent writers, so ids increase like an autoincrement).
MERGE (c:Counter {name: 'audit'})
  ON CREATE SET c.value = 0
SET c.value = c.value + 1
CREATE (a:AuditRecord {id: c.value, at: $at, actor: $actor, action: $action, kind: $kind,
                       key: $key, before: $before, after: $after})
RETURN a.id AS id
