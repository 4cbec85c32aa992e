// Parameters: $actor, $records (list of {offset, at, action, kind, key, before, after}: offset
//   is the record's 0-based place in the list; before and after are JSON strings or null),
//   $marker (a bulk import's id, or null: kept on the records so a failed import can be undone)
// Columns: none
// Audit records for a run of writes, numbered in list order by the :Counter {name: 'audit'}
// node, advanced once by the list's size. The SET takes the counter's write lock before the
// new value is read back, so concurrent writers get disjoint, increasing ranges of ids.
MERGE (c:Counter {name: 'audit'})
  ON CREATE SET c.value = 0
SET c.value = c.value + size($records)
WITH c.value - size($records) AS base
UNWIND $records AS r
CREATE (:AuditRecord {id: base + r.offset + 1, at: r.at, actor: $actor, action: r.action,
                      kind: r.kind, key: r.key, before: r.before, after: r.after, _import: $marker})
