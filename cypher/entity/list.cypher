// Parameters: $kind (string), $query (lower-case string, '' for all),
//   $filters (list of {field, value, rel, reversed, mode}; mode 'rel': a reference of type rel
//   (drawn towards this object when reversed) to the object with key value, or none when
//   value is null; 'many': value is among the list property; 'value': the property equals
//   value, or is absent when value is null; 'never': matches nothing),
//   $limit (integer, or null for no limit)
// Columns: props (map), refs (list of {type, key, pos}: the object's own references)
// Objects of one kind ordered by key; query matches key or display name (substring).
MATCH (n:Entity)
WHERE n.entity_kind = $kind AND n.key IS NOT NULL
  AND ($query = '' OR toLower(n.key) CONTAINS $query OR toLower(n.display_name) CONTAINS $query)
  AND all(f IN $filters WHERE
        CASE f.mode
          WHEN 'rel' THEN
            CASE
              WHEN f.value IS NULL AND f.reversed
                THEN NOT EXISTS { (n)<-[r]-() WHERE type(r) = f.rel } AND n[f.field] IS NULL
              WHEN f.value IS NULL
                THEN NOT EXISTS { (n)-[r]->() WHERE type(r) = f.rel } AND n[f.field] IS NULL
              WHEN f.reversed THEN EXISTS { (n)<-[r]-(t:Entity) WHERE type(r) = f.rel AND t.key = f.value }
              ELSE EXISTS { (n)-[r]->(t:Entity) WHERE type(r) = f.rel AND t.key = f.value }
            END
          WHEN 'many' THEN coalesce(f.value IN n[f.field], false)
          WHEN 'value' THEN
            CASE WHEN f.value IS NULL THEN n[f.field] IS NULL
              ELSE coalesce(n[f.field] = f.value, false)
            END
          ELSE false
        END)
RETURN n {.*} AS props,
       [(n)-[r]->(t) WHERE NOT r:ENGAGES | {type: type(r), key: t.key, pos: r.pos}]
         + [(n)<-[r:ENGAGES]-(t) | {type: type(r), key: t.key, pos: r.pos}] AS refs
ORDER BY n.key
LIMIT coalesce($limit, 9223372036854775807)
