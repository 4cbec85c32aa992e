// Parameters: none
// Columns: identity (string)
// The database's random identity, made on first use: the flow index keeps one index per
// identity, so a database wiped and filled again is never mistaken for the one it indexed.
// The uniqueness constraint on :RegistryIdentity(name) makes concurrent first uses safe.
MERGE (i:RegistryIdentity {name: 'registry'})
  ON CREATE SET i.id = randomUUID()
RETURN i.id AS identity
