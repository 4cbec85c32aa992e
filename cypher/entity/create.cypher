// Parameters: $label (the kind's node label, from a fixed mapping in the store), $props (map:
//   entity_kind, key, version, display_name and the object's fields)
// Columns: none
// A new object node; its references are linked by entity/link at the end of the write.
CREATE (n:Entity:$($label))
SET n = $props
