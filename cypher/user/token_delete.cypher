// Parameters: $id (string)
// Columns: id, username, name, token_hash, created_at
// Revoke (delete) an API token; returns what was deleted, no row if there was none.
MATCH (t:ApiToken {id: $id})
WITH t, t.id AS id, t.username AS username, t.name AS name, t.token_hash AS token_hash,
     t.created_at AS created_at
DELETE t
RETURN id, username, name, token_hash, created_at
