// Parameters: $label (the kind's node label, from a fixed mapping in the store), $rows (list of
//   property maps as for entity/create, one per new object of that kind)
// Columns: none
// New object nodes of one kind in one go (entity/create for a single one); their references
// are linked by entity/link at the end of the write.
UNWIND $rows AS props
CREATE (n:Entity:$($label))
SET n = props
