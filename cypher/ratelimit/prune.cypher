// Parameters: $now (integer, Unix milliseconds)
// Columns: none
// Delete rate counters whose window has ended.
MATCH (c:RateCounter) WHERE c.expires_at <= $now
DELETE c
