// Parameters: $username (string)
// Columns: session_key (string or null)
// The user's current sign-in session key; no row when there is no such user.
MATCH (u:User {username: $username})
RETURN u.session_key AS session_key
