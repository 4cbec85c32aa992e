// Parameters: none
// Columns: username, password_hash, role
// Every user, ordered by username.
MATCH (u:User)
RETURN u.username AS username, u.password_hash AS password_hash, u.role AS role
ORDER BY username
