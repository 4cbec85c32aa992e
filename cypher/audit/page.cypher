// Parameters: $kind (string or null), $key (string or null), $actor (string or null),
//   $query (lower-case string, '' for none), $offset, $limit (integers)
// Columns: record (map: id, at, actor, action, kind, key, before, after)
// One window of the audit records filtered exactly by kind, key and actor, and by a substring
// of the key or the values before or after; newest first (audit/count counts them all).
MATCH (a:AuditRecord)
WHERE a.id IS NOT NULL
  AND ($kind IS NULL OR a.kind = $kind)
  AND ($key IS NULL OR a.key = $key)
  AND ($actor IS NULL OR a.actor = $actor)
  AND ($query = '' OR toLower(a.key) CONTAINS $query OR toLower(coalesce(a.after, '')) CONTAINS $query
       OR toLower(coalesce(a.before, '')) CONTAINS $query)
RETURN a {.*} AS record
ORDER BY a.id DESC
SKIP $offset
LIMIT $limit
