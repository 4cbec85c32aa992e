// Parameters: none
// Columns: identity (string, or null before index/identity has run on this database),
//   newest (integer: the newest audit record's id, 0 when none), records (integer: how many
//   audit records there are; fewer than the ids suggest once an undone import removed some)
// The version the flow index (registry/store/flow_index.py) is kept at. All three are read
// in constant time: a constraint seek for the two nodes, the count store for the count.
OPTIONAL MATCH (i:RegistryIdentity {name: 'registry'})
OPTIONAL MATCH (c:Counter {name: 'audit'})
CALL () {
  MATCH (a:AuditRecord)
  RETURN count(a) AS records
}
RETURN i.id AS identity, coalesce(c.value, 0) AS newest, records
