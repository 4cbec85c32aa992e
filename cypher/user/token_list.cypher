// Parameters: $username (string, or null for everyone's)
// Columns: id, username, name, token_hash, created_at
// API tokens, newest first.
MATCH (t:ApiToken)
WHERE $username IS NULL OR t.username = $username
RETURN t.id AS id, t.username AS username, t.name AS name, t.token_hash AS token_hash,
       t.created_at AS created_at
ORDER BY created_at DESC, id
