// Parameters: $kind (string or null), $actor (string or null), $offset, $limit (integers)
// Columns: record (map: id, at, actor, action, kind, key, before, after)
// Audit records newest first, optionally of one kind and/or by one actor.
MATCH (a:AuditRecord)
WHERE a.id IS NOT NULL
  AND ($kind IS NULL OR a.kind = $kind)
  AND ($actor IS NULL OR a.actor = $actor)
RETURN a {.*} AS record
ORDER BY a.id DESC
SKIP $offset
LIMIT $limit
