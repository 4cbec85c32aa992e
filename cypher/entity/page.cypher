// Parameters: $kind (string), $query (lower-case string, '' for none),
//   $filters (list of {field, value, rel, reversed, mode}: as in entity/list, every one must hold),
//   $any_of (list of {field, values, rel, reversed, mode}: the search also matches an object whose
//   field holds one of values: 'rel' a reference of type rel (towards this object when reversed),
//   'many' a list property, 'value' a property; 'never' matches nothing),
//   $sort (property name to sort by; 'display_name' for the name), $descending (boolean),
//   $offset, $limit (integers)
// Columns: total (integer: how many objects match), rows (list of {props, refs} for the window,
//   as entity/fetch returns them)
// One window of the objects of a kind that match a search and filters, and how many match.
MATCH (n:Entity)
WHERE n.entity_kind = $kind AND n.key IS NOT NULL
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
  AND (($query = '' AND size($any_of) = 0)
       OR ($query <> '' AND (toLower(n.key) CONTAINS $query OR toLower(n.display_name) CONTAINS $query))
       OR any(f IN $any_of WHERE
            CASE f.mode
              WHEN 'rel' THEN
                CASE WHEN f.reversed
                  THEN EXISTS { (n)<-[r]-(t:Entity) WHERE type(r) = f.rel AND t.key IN f.values }
                  ELSE EXISTS { (n)-[r]->(t:Entity) WHERE type(r) = f.rel AND t.key IN f.values }
                END
              WHEN 'many' THEN any(v IN coalesce(n[f.field], []) WHERE v IN f.values)
              WHEN 'value' THEN coalesce(n[f.field] IN f.values, false)
              ELSE false
            END))
WITH n, CASE WHEN $sort = 'key' THEN n.key ELSE toLower(coalesce(toString(n[$sort]), '')) END AS sorted
ORDER BY CASE WHEN $descending THEN '' ELSE sorted END ASC,
         CASE WHEN $descending THEN sorted ELSE '' END DESC,
         CASE WHEN $descending THEN '' ELSE n.key END ASC,
         CASE WHEN $descending THEN n.key ELSE '' END DESC
WITH collect(n) AS hits
RETURN size(hits) AS total,
       [n IN hits[$offset..$offset + $limit] |
         {props: n {.*},
          refs: [(n)-[r]->(t) WHERE NOT r:ENGAGES | {type: type(r), key: t.key, pos: r.pos}]
                + [(n)<-[r:ENGAGES]-(t) | {type: type(r), key: t.key, pos: r.pos}]}] AS rows
