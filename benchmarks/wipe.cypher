// Parameters: none
// Columns: none
// Empties the benchmark's database in batches (an auto-commit query).
MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 1000 ROWS
