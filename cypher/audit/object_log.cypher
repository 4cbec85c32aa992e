// Parameters: $key (string), $kind (string or null), $actor (string or null), $offset, $limit
// Columns: record (map: id, at, actor, action, kind, key, before, after)
// The history of the objects with one key (index on AuditRecord.key), newest first.
MATCH (a:AuditRecord {key: $key})
WHERE ($kind IS NULL OR a.kind = $kind)
  AND ($actor IS NULL OR a.actor = $actor)
RETURN a {.*} AS record
ORDER BY a.id DESC
SKIP $offset
LIMIT $limit
