// Parameters: none
// Columns: none
// Uniqueness constraints (each backed by a range index). Statements end with ';'
// and are applied one by one by Neo4jStore.init_schema(); IF NOT EXISTS keeps it idempotent.
// An object's key is unique per kind through entity_kind_key alone: a kind's label and its
// entity_kind go together, so a second constraint per label would only cost every write an
// index entry (schema/retired.cypher drops those of earlier versions).
CREATE CONSTRAINT entity_kind_key IF NOT EXISTS
FOR (n:Entity) REQUIRE (n.entity_kind, n.key) IS UNIQUE;
CREATE CONSTRAINT user_username IF NOT EXISTS FOR (u:User) REQUIRE u.username IS UNIQUE;
CREATE CONSTRAINT api_token_id IF NOT EXISTS FOR (t:ApiToken) REQUIRE t.id IS UNIQUE;
CREATE CONSTRAINT api_token_hash IF NOT EXISTS FOR (t:ApiToken) REQUIRE t.token_hash IS UNIQUE;
CREATE CONSTRAINT rate_counter_name IF NOT EXISTS FOR (c:RateCounter) REQUIRE c.name IS UNIQUE;
CREATE CONSTRAINT audit_record_id IF NOT EXISTS FOR (a:AuditRecord) REQUIRE a.id IS UNIQUE;
CREATE CONSTRAINT counter_name IF NOT EXISTS FOR (c:Counter) REQUIRE c.name IS UNIQUE;
CREATE CONSTRAINT registry_lock_name IF NOT EXISTS FOR (l:RegistryLock) REQUIRE l.name IS UNIQUE;
CREATE CONSTRAINT registry_identity_name IF NOT EXISTS FOR (i:RegistryIdentity) REQUIRE i.name IS UNIQUE;
