// Parameters: none
// Columns: none
// Constraints and indexes of earlier versions, dropped by Neo4jStore.init_schema() after the
// current ones are in place: one key constraint per kind's label, which entity_kind_key
// already covers (see schema/constraints.cypher), and the indexes of the import marker an
// import no longer sets. IF EXISTS keeps it idempotent.
DROP CONSTRAINT organisation_key IF EXISTS;
DROP CONSTRAINT subject_group_key IF EXISTS;
DROP CONSTRAINT category_key IF EXISTS;
DROP CONSTRAINT purpose_key IF EXISTS;
DROP CONSTRAINT collection_key IF EXISTS;
DROP CONSTRAINT engagement_key IF EXISTS;
DROP CONSTRAINT change_entry_key IF EXISTS;
DROP CONSTRAINT subscription_key IF EXISTS;
DROP CONSTRAINT objection_key IF EXISTS;
DROP CONSTRAINT triage_key IF EXISTS;
DROP INDEX entity_import IF EXISTS;
DROP INDEX audit_record_import IF EXISTS;
