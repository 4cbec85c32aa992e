// Parameters: none
// Columns: kind, key (of the retired object), src_kind, src_key, type (of the reference)
// References that still reach objects retired in this transaction, from objects the
// transaction has not rewritten (directions as in entity/referrers).
MATCH (t:Retired)
USING SCAN t:Retired
CALL (t) {
  MATCH (t)<-[r]-(src:Entity)
  WHERE NOT r:ENGAGES
  RETURN src, r
  UNION
  MATCH (t)-[r:ENGAGES]->(src:Entity)
  RETURN src, r
}
RETURN t.entity_kind AS kind, t.key AS key, src.entity_kind AS src_kind, src.key AS src_key,
       type(r) AS type
