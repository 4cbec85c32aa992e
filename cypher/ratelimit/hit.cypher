// Parameters: $name (string), $now, $window, $amount (integers: Unix ms, ms, hits)
// Columns: hits, expires_at (integers)
// Add hits to a rate counter, opening a new window when the last one has ended.
// MERGE on the uniquely constrained name makes concurrent first hits share one node.
MERGE (c:RateCounter {name: $name})
ON CREATE SET c.expires_at = $now + $window, c.hits = 0
SET c.hits = CASE WHEN c.expires_at <= $now THEN $amount ELSE c.hits + $amount END
SET c.expires_at = CASE WHEN c.expires_at <= $now THEN $now + $window ELSE c.expires_at END
RETURN c.hits AS hits, c.expires_at AS expires_at
