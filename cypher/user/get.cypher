// Parameters: $username (string)
// Columns: username, password_hash, role
// One user.
MATCH (u:User {username: $username})
RETURN u.username AS username, u.password_hash AS password_hash, u.role AS role
