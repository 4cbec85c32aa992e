// Parameters: $name (string: what the lock serialises, e.g. "organisation-parents")
// Columns: none
// Takes a write lock on the named lock node for the rest of the transaction: a second
// transaction taking the same lock waits until the first ends. The uniqueness constraint
// on :RegistryLock(name) makes concurrent MERGEs of a new name safe.
MERGE (l:RegistryLock {name: $name})
SET l.taken = coalesce(l.taken, 0) + 1
