// Parameters: $kind (string or null), $key (string or null), $actor (string or null),
//   $query (lower-case string, '' for none)
// Columns: total (integer)
// How many audit records audit/page would show in all, over every window.
MATCH (a:AuditRecord)
WHERE a.id IS NOT NULL
  AND ($kind IS NULL OR a.kind = $kind)
  AND ($key IS NULL OR a.key = $key)
  AND ($actor IS NULL OR a.actor = $actor)
  AND ($query = '' OR toLower(a.key) CONTAINS $query OR toLower(coalesce(a.after, '')) CONTAINS $query
       OR toLower(coalesce(a.before, '')) CONTAINS $query)
RETURN count(a) AS total
