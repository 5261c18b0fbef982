// Constraints and indexes, applied idempotently at every start-up.
// Portable between Neo4j 5 and the embedded engine: IF NOT EXISTS, no vendor procedures.
CREATE CONSTRAINT person_id IF NOT EXISTS FOR (n:Person) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT member_id IF NOT EXISTS FOR (n:Member) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT organisation_id IF NOT EXISTS FOR (n:Organisation) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT college_id IF NOT EXISTS FOR (n:College) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT course_id IF NOT EXISTS FOR (n:Course) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT audit_event_id IF NOT EXISTS FOR (n:AuditEvent) REQUIRE n.id IS UNIQUE;
CREATE INDEX audit_event_target IF NOT EXISTS FOR (n:AuditEvent) ON (n.targetId);
CREATE INDEX audit_event_actor IF NOT EXISTS FOR (n:AuditEvent) ON (n.actorId);
CREATE CONSTRAINT security_event_id IF NOT EXISTS FOR (n:SecurityEvent) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT wellness_tool_name IF NOT EXISTS FOR (n:WellnessTool) REQUIRE n.name IS UNIQUE;
CREATE CONSTRAINT member_ref IF NOT EXISTS FOR (n:Member) REQUIRE n.ref IS UNIQUE;
CREATE CONSTRAINT signin_link_hash IF NOT EXISTS FOR (n:SigninLink) REQUIRE n.hash IS UNIQUE;
CREATE CONSTRAINT web_session_hash IF NOT EXISTS FOR (n:WebSession) REQUIRE n.hash IS UNIQUE;
CREATE INDEX web_session_member IF NOT EXISTS FOR (n:WebSession) ON (n.memberId);
CREATE CONSTRAINT idempotency_key_id IF NOT EXISTS FOR (n:IdempotencyKey) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT connect_code_hash IF NOT EXISTS FOR (n:ConnectCode) REQUIRE n.hash IS UNIQUE;
CREATE INDEX connect_code_member IF NOT EXISTS FOR (n:ConnectCode) ON (n.memberId);
CREATE CONSTRAINT change_id IF NOT EXISTS FOR (n:Change) REQUIRE n.id IS UNIQUE;
CREATE INDEX change_at IF NOT EXISTS FOR (n:Change) ON (n.at);
CREATE CONSTRAINT programme_session_id IF NOT EXISTS FOR (n:ProgrammeSession) REQUIRE n.id IS UNIQUE;
CREATE INDEX programme_session_on IF NOT EXISTS FOR (n:ProgrammeSession) ON (n.on);
CREATE CONSTRAINT session_schedule_id IF NOT EXISTS FOR (n:SessionSchedule) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT session_kind_name IF NOT EXISTS FOR (n:SessionKind) REQUIRE n.name IS UNIQUE;
