// Parameters: $actor, $records (list of {offset, at, action, kind, key, before, after}: offset
//   is the record's 0-based place in the list; before and after are JSON strings or null)
// Columns: none
// A transaction's audit records, numbered in list order by the :Counter {name: 'audit'}
// node, advanced once by the list's size. The SET takes the counter's write lock before the
// new value is read back, so concurrent writers get disjoint, increasing ranges of ids, and a
// transaction's records (it holds the lock until it ends) have consecutive ids. Run it once
// per transaction: a second update of the counter in a transaction deadlocks with another
// transaction already waiting for the counter's lock.
MERGE (c:Counter {name: 'audit'})
  ON CREATE SET c.value = 0
SET c.value = c.value + size($records)
WITH c.value - size($records) AS base
UNWIND $records AS r
CREATE (:AuditRecord {id: base + r.offset + 1, at: r.at, actor: $actor, action: r.action,
                      kind: r.kind, key: r.key, before: r.before, after: r.after})
