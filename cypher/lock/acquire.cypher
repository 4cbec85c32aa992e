// Parameters: $name (string: what the lock serialises, e.g. "organisation-parents")
// Columns: none
// Takes a write lock on the named lock node for the rest of the transaction: a second
// transaction taking the same lock waits until the first ends. The node is found by MATCH,
// not MERGE, as the audit counter in audit/append_many (which says why); the uniqueness
// constraint on :RegistryLock(name) makes concurrent MERGEs of a new name safe.
OPTIONAL MATCH (existing:RegistryLock {name: $name})
FOREACH (_ IN CASE WHEN existing IS NULL THEN [1] ELSE [] END |
  MERGE (:RegistryLock {name: $name}))
WITH 1 AS one
MATCH (l:RegistryLock {name: $name})
SET l.taken = coalesce(l.taken, 0) + 1
