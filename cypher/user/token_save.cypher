// Parameters: $id, $username, $name, $token_hash, $created_at (strings)
// Columns: none
// Store a new API token (only the hash of its secret).
CREATE (:ApiToken {id: $id, username: $username, name: $name, token_hash: $token_hash, created_at: $created_at})
