// Parameters: $kind (string)
// Columns: count (integer)
// How many objects of one kind exist.
MATCH (n:Entity)
WHERE n.entity_kind = $kind AND n.key IS NOT NULL
RETURN count(n) AS count
