// Parameters: none
// Columns: empty (boolean: true when the database holds no object at all)
// Read from the count store in constant time: a bulk import into an empty database then
// skips looking up each of its keys.
MATCH (n:Entity)
RETURN count(n) = 0 AS empty
