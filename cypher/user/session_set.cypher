// Parameters: $username, $session_key (strings)
// Columns: none
// Replace the user's session key, ending every session signed with the old one.
MATCH (u:User {username: $username})
SET u.session_key = $session_key
