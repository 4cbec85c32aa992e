// Parameters: $username, $password_hash, $role (strings)
// Columns: none
// Create or replace a user.
MERGE (u:User {username: $username})
SET u.password_hash = $password_hash, u.role = $role
