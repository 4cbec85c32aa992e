// Parameters: none
// Columns: id (integer or null: no audit record yet)
// The newest audit record's id, read from the counter that numbers them (an index seek on
// the :Counter name constraint, not a scan of the records): the registry's version.
OPTIONAL MATCH (c:Counter {name: 'audit'})
RETURN c.value AS id
