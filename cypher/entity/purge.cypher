// Parameters: none
// Columns: none
// Second half of a delete, once the checks passed: remove the retired nodes.
MATCH (t:Retired)
USING SCAN t:Retired
DELETE t
