-- The raw SQLite engine for the benchmark: organisations reachable from :starts (a JSON list)
-- along active engagements carrying a category matching :cat, as one recursive CTE.
WITH RECURSIVE
  cats(key) AS (
    SELECT key FROM entities WHERE kind = 'category'
      AND (key = :cat OR :cat LIKE key || '.%' OR key LIKE :cat || '.%')),
  edges(src, dst) AS MATERIALIZED (
    SELECT DISTINCT json_extract(e.data, '$.exporter'), json_extract(e.data, '$.importer')
    FROM cats CROSS JOIN refs c
    JOIN entities e ON e.kind = 'engagement' AND e.key = c.src_key
    WHERE c.dst_kind = 'category' AND c.dst_key = cats.key
      AND c.src_kind = 'engagement' AND c.field = 'categories'
      AND json_extract(e.data, '$.status') = 'active'
      AND coalesce(json_extract(e.data, '$.effective_date'), '') <= :on),
  reach(org) AS (
    SELECT value FROM json_each(:starts)
    UNION
    SELECT edges.dst FROM reach JOIN edges ON edges.src = reach.org)
SELECT count(*) FROM reach
