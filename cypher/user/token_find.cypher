// Parameters: $token_hash (string)
// Columns: id, username, name, token_hash, created_at
// The API token with this hash, if any.
MATCH (t:ApiToken {token_hash: $token_hash})
RETURN t.id AS id, t.username AS username, t.name AS name, t.token_hash AS token_hash,
       t.created_at AS created_at
