// Parameters: none
// Columns: none
// Uniqueness constraints (each backed by a range index). Statements end with ';'
// and are applied one by one by Neo4jStore.init_schema(); IF NOT EXISTS keeps it idempotent.
CREATE CONSTRAINT entity_kind_key IF NOT EXISTS
FOR (n:Entity) REQUIRE (n.entity_kind, n.key) IS UNIQUE;
CREATE CONSTRAINT organisation_key IF NOT EXISTS FOR (n:Organisation) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT subject_group_key IF NOT EXISTS FOR (n:SubjectGroup) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT category_key IF NOT EXISTS FOR (n:Category) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT purpose_key IF NOT EXISTS FOR (n:Purpose) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT collection_key IF NOT EXISTS FOR (n:Collection) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT engagement_key IF NOT EXISTS FOR (n:Engagement) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT change_entry_key IF NOT EXISTS FOR (n:ChangeEntry) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT subscription_key IF NOT EXISTS FOR (n:Subscription) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT objection_key IF NOT EXISTS FOR (n:Objection) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT triage_key IF NOT EXISTS FOR (n:Triage) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT user_username IF NOT EXISTS FOR (u:User) REQUIRE u.username IS UNIQUE;
CREATE CONSTRAINT api_token_id IF NOT EXISTS FOR (t:ApiToken) REQUIRE t.id IS UNIQUE;
CREATE CONSTRAINT api_token_hash IF NOT EXISTS FOR (t:ApiToken) REQUIRE t.token_hash IS UNIQUE;
CREATE CONSTRAINT rate_counter_name IF NOT EXISTS FOR (c:RateCounter) REQUIRE c.name IS UNIQUE;
CREATE CONSTRAINT audit_record_id IF NOT EXISTS FOR (a:AuditRecord) REQUIRE a.id IS UNIQUE;
CREATE CONSTRAINT counter_name IF NOT EXISTS FOR (c:Counter) REQUIRE c.name IS UNIQUE;
CREATE CONSTRAINT registry_lock_name IF NOT EXISTS FOR (l:RegistryLock) REQUIRE l.name IS UNIQUE;
CREATE CONSTRAINT registry_identity_name IF NOT EXISTS FOR (i:RegistryIdentity) REQUIRE i.name IS UNIQUE;
