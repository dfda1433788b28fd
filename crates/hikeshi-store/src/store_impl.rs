//! `Store` for `SqlStore`: one line per method, the bodies live beside their tables.

use crate::connect::SqlStore;
use async_trait::async_trait;
use hikeshi_core::Result;
use hikeshi_core::access::Visibility;
use hikeshi_core::deadlines::DeadlineClock;
use hikeshi_core::ids::*;
use hikeshi_core::model::*;
use hikeshi_core::observables::{
    CorrelationRow, Kind, NewObservable, Observable, RecordRef, ValueStats,
};
use hikeshi_core::outbound::{Job, OutboundMail};
use hikeshi_core::ports::{ListQuery, MailWrite, Page, Session, Store};
use hikeshi_core::sla::SlaClock;
use hikeshi_core::triage::{ConfigVersion, NotificationRequest, TriageRecord, TriageWrite};
use jiff::Timestamp;

#[async_trait]
impl Store for SqlStore {
    async fn installation_key(&self) -> Result<Vec<u8>> {
        self.installation_key_impl().await
    }
    async fn insert_constituency(&self, c: &Constituency, a: &AuditEntry) -> Result<()> {
        self.insert_constituency_impl(c, a).await
    }
    async fn update_constituency(&self, c: &Constituency, v: i64, a: &AuditEntry) -> Result<()> {
        self.update_constituency_impl(c, v, a).await
    }
    async fn get_constituency(&self, id: ConstituencyId) -> Result<Option<Constituency>> {
        self.get_constituency_impl(id).await
    }
    async fn constituency_by_slug(&self, slug: &str) -> Result<Option<Constituency>> {
        self.constituency_by_slug_impl(slug).await
    }
    async fn list_constituencies(&self) -> Result<Vec<Constituency>> {
        self.list_constituencies_impl().await
    }
    async fn insert_user(&self, u: &User, a: &AuditEntry) -> Result<()> {
        self.insert_user_impl(u, a).await
    }
    async fn update_user(&self, u: &User, v: i64, a: &AuditEntry) -> Result<()> {
        self.update_user_impl(u, v, a).await
    }
    async fn get_user(&self, id: UserId) -> Result<Option<User>> {
        self.get_user_impl(id).await
    }
    async fn user_by_name(&self, n: &str) -> Result<Option<User>> {
        self.user_by_name_impl(n).await
    }
    async fn list_users(&self) -> Result<Vec<User>> {
        self.list_users_impl().await
    }
    async fn count_users(&self) -> Result<i64> {
        self.count_users_impl().await
    }
    async fn insert_token(&self, t: &ApiToken, d: &str, a: &AuditEntry) -> Result<()> {
        self.insert_token_impl(t, d, a).await
    }
    async fn token_by_digest(&self, d: &str) -> Result<Option<ApiToken>> {
        self.token_by_digest_impl(d).await
    }
    async fn list_tokens(&self, u: Option<UserId>) -> Result<Vec<ApiToken>> {
        self.list_tokens_impl(u).await
    }
    async fn revoke_token(&self, id: TokenId, a: &AuditEntry) -> Result<()> {
        self.revoke_token_impl(id, a).await
    }
    async fn insert_session(&self, d: &str, s: &Session) -> Result<()> {
        self.insert_session_impl(d, s).await
    }
    async fn session(&self, d: &str) -> Result<Option<Session>> {
        self.session_impl(d).await
    }
    async fn delete_session(&self, d: &str) -> Result<()> {
        self.delete_session_impl(d).await
    }
    async fn insert_incident(&self, i: &Incident, a: &AuditEntry) -> Result<Incident> {
        self.insert_incident_impl(i, a, &[]).await
    }
    async fn insert_incident_clocked(
        &self,
        i: &Incident,
        a: &AuditEntry,
        clocks: &[SlaClock],
    ) -> Result<Incident> {
        self.insert_incident_impl(i, a, clocks).await
    }
    async fn update_incident(&self, i: &Incident, v: i64, a: &AuditEntry) -> Result<()> {
        self.update_incident_impl(i, v, a).await
    }
    async fn get_incident(&self, id: IncidentId) -> Result<Option<Incident>> {
        self.get_incident_impl(id).await
    }
    async fn incident_by_ref(&self, r: &str) -> Result<Option<Incident>> {
        self.incident_by_ref_impl(r).await
    }
    async fn list_incidents(&self, vis: &Visibility, q: &ListQuery) -> Result<Page<Incident>> {
        self.list_incidents_impl(vis, q).await
    }
    async fn child_incidents(&self, p: IncidentId) -> Result<Vec<Incident>> {
        self.child_incidents_impl(p).await
    }
    async fn merge_incidents(
        &self,
        s: &Incident,
        sv: i64,
        m: &Incident,
        mv: i64,
        a: &[AuditEntry],
    ) -> Result<()> {
        self.merge_impl(s, sv, m, mv, a).await
    }
    async fn insert_report(&self, r: &Report, a: &AuditEntry) -> Result<Report> {
        self.insert_report_impl(r, a).await
    }
    async fn update_report(&self, r: &Report, v: i64, a: &AuditEntry) -> Result<()> {
        self.update_report_impl(r, v, a).await
    }
    async fn get_report(&self, id: ReportId) -> Result<Option<Report>> {
        self.get_report_impl(id).await
    }
    async fn report_by_ref(&self, r: &str) -> Result<Option<Report>> {
        self.report_by_ref_impl(r).await
    }
    async fn list_reports(&self, vis: &Visibility, q: &ListQuery) -> Result<Page<Report>> {
        self.list_reports_impl(vis, q).await
    }
    async fn link_report(&self, r: ReportId, i: IncidentId, a: &AuditEntry) -> Result<()> {
        self.link_report_impl(r, i, a).await
    }
    async fn reports_of_incident(&self, i: IncidentId) -> Result<Vec<Report>> {
        self.reports_of_incident_impl(i).await
    }
    async fn insert_investigation(&self, v: &Investigation, a: &AuditEntry) -> Result<()> {
        self.insert_investigation_impl(v, a).await
    }
    async fn update_investigation(&self, v: &Investigation, e: i64, a: &AuditEntry) -> Result<()> {
        self.update_investigation_impl(v, e, a).await
    }
    async fn get_investigation(&self, id: InvestigationId) -> Result<Option<Investigation>> {
        self.get_investigation_impl(id).await
    }
    async fn investigations_of(&self, i: IncidentId) -> Result<Vec<Investigation>> {
        self.investigations_of_impl(i).await
    }
    async fn insert_countermeasure(&self, c: &Countermeasure, a: &AuditEntry) -> Result<()> {
        self.insert_countermeasure_impl(c, a).await
    }
    async fn update_countermeasure(
        &self,
        c: &Countermeasure,
        e: i64,
        a: &AuditEntry,
    ) -> Result<()> {
        self.update_countermeasure_impl(c, e, a).await
    }
    async fn get_countermeasure(&self, id: CountermeasureId) -> Result<Option<Countermeasure>> {
        self.get_countermeasure_impl(id).await
    }
    async fn countermeasures_of(&self, i: IncidentId) -> Result<Vec<Countermeasure>> {
        self.countermeasures_of_impl(i).await
    }
    async fn insert_entry(&self, e: &Entry, a: &AuditEntry) -> Result<()> {
        self.insert_entry_impl(e, a).await
    }
    async fn entries_of(&self, t: &str) -> Result<Vec<Entry>> {
        self.entries_of_impl(t).await
    }
    async fn insert_attachment(&self, at: &Attachment, b: &[u8], a: &AuditEntry) -> Result<()> {
        self.insert_attachment_impl(at, b, a).await
    }
    async fn get_attachment(&self, id: AttachmentId) -> Result<Option<Attachment>> {
        self.get_attachment_impl(id).await
    }
    async fn attachments_of(&self, t: &str) -> Result<Vec<Attachment>> {
        self.attachments_of_impl(t).await
    }
    async fn blob(&self, sha: &str) -> Result<Option<Vec<u8>>> {
        self.blob_impl(sha).await
    }
    async fn attachments_of_many(&self, t: &[String]) -> Result<Vec<Attachment>> {
        self.attachments_of_many_impl(t).await
    }
    async fn insert_raw_message(&self, m: &RawMessage, b: &[u8]) -> Result<()> {
        self.insert_raw_impl(m, b).await
    }
    async fn finish_raw_message(
        &self,
        id: &str,
        st: &str,
        rec: Option<&str>,
        err: Option<&str>,
    ) -> Result<()> {
        self.finish_raw_impl(id, st, rec, err).await
    }
    async fn raw_message(&self, id: &str) -> Result<Option<Vec<u8>>> {
        self.raw_message_impl(id).await
    }
    async fn insert_mail_entry(
        &self,
        e: &Entry,
        m: &MailMeta,
        f: &[(Attachment, Vec<u8>)],
        a: &AuditEntry,
    ) -> Result<()> {
        self.insert_mail_entry_impl(e, m, f, a).await
    }
    async fn mail_meta(&self, ids: &[String]) -> Result<Vec<(String, MailMeta)>> {
        self.mail_meta_impl(ids).await
    }
    async fn constituency_for_domains(&self, d: &[String]) -> Result<Option<ConstituencyId>> {
        self.constituency_for_domains_impl(d).await
    }
    async fn incident_counts(
        &self,
        vis: &Visibility,
        cap: i64,
    ) -> Result<Vec<(IncidentStatus, Severity, i64)>> {
        self.incident_counts_impl(vis, cap).await
    }
    async fn due_incidents(&self, vis: &Visibility, limit: i64) -> Result<Vec<Incident>> {
        self.due_incidents_impl(vis, limit).await
    }
    async fn list_investigations(
        &self,
        vis: &Visibility,
        q: &ListQuery,
    ) -> Result<Page<Investigation>> {
        self.list_investigations_impl(vis, q).await
    }
    async fn list_countermeasures(
        &self,
        vis: &Visibility,
        q: &ListQuery,
    ) -> Result<Page<Countermeasure>> {
        self.list_countermeasures_impl(vis, q).await
    }
    async fn insert_saved_search(&self, s: &SavedSearch, a: &AuditEntry) -> Result<()> {
        self.insert_saved_search_impl(s, a).await
    }
    async fn saved_searches(&self, user: UserId) -> Result<Vec<SavedSearch>> {
        self.saved_searches_impl(user).await
    }
    async fn delete_saved_search(&self, user: UserId, id: &str, a: &AuditEntry) -> Result<()> {
        self.delete_saved_search_impl(user, id, a).await
    }
    async fn history(&self, t: &[String]) -> Result<Vec<AuditEntry>> {
        self.history_impl(t).await
    }
    async fn append_audit(&self, a: &AuditEntry) -> Result<()> {
        self.append_audit_impl(a).await
    }
    async fn seal_audit(&self) -> Result<i64> {
        self.seal_impl().await
    }
    async fn audit_chain(&self) -> Result<(Vec<AuditEntry>, Option<(i64, String)>)> {
        self.chain_impl().await
    }

    // ---- Handling (issue #6 items 4-7): bodies in handling.rs, approvals.rs, notify.rs ----
    async fn insert_playbook(&self, p: &Playbook, a: &AuditEntry) -> Result<()> {
        self.insert_playbook_impl(p, a).await
    }
    async fn get_playbook(&self, id: &str) -> Result<Option<Playbook>> {
        self.get_playbook_impl(id).await
    }
    async fn playbook_versions(&self, slug: &str) -> Result<Vec<Playbook>> {
        self.playbook_versions_impl(slug).await
    }
    async fn latest_playbooks(&self) -> Result<Vec<Playbook>> {
        self.latest_playbooks_impl().await
    }
    async fn insert_tasks(&self, t: &[Task], a: &AuditEntry) -> Result<()> {
        self.insert_tasks_impl(t, a).await
    }
    async fn update_task(&self, t: &Task, v: i64, a: &AuditEntry) -> Result<()> {
        self.update_task_impl(t, v, a).await
    }
    async fn add_task_evidence(
        &self,
        t: &Task,
        v: i64,
        at: &Attachment,
        b: &[u8],
        a: &AuditEntry,
    ) -> Result<()> {
        self.add_task_evidence_impl(t, v, at, b, a).await
    }
    async fn get_task(&self, id: &str) -> Result<Option<Task>> {
        self.get_task_impl(id).await
    }
    async fn tasks_of(&self, i: IncidentId) -> Result<Vec<Task>> {
        self.tasks_of_impl(i).await
    }
    async fn insert_plan(&self, p: &ResponsePlan, a: &AuditEntry) -> Result<()> {
        self.insert_plan_impl(p, a).await
    }
    async fn plans_of(&self, i: IncidentId) -> Result<Vec<ResponsePlan>> {
        self.plans_of_impl(i).await
    }
    async fn insert_verification(&self, v: &Verification, a: &AuditEntry) -> Result<()> {
        self.insert_verification_impl(v, a).await
    }
    async fn verifications_of(&self, i: IncidentId) -> Result<Vec<Verification>> {
        self.verifications_of_impl(i).await
    }
    async fn insert_review(&self, r: &Review, a: &AuditEntry) -> Result<()> {
        self.insert_review_impl(r, a).await
    }
    async fn reviews_of(&self, i: IncidentId) -> Result<Vec<Review>> {
        self.reviews_of_impl(i).await
    }
    async fn insert_approval(&self, x: &Approval, a: &AuditEntry) -> Result<()> {
        self.insert_approval_impl(x, a).await
    }
    async fn update_approval(&self, x: &Approval, v: i64, a: &AuditEntry) -> Result<()> {
        self.update_approval_impl(x, v, a).await
    }
    async fn get_approval(&self, id: &str) -> Result<Option<Approval>> {
        self.get_approval_impl(id).await
    }
    async fn approvals_of_action(&self, id: &str) -> Result<Vec<Approval>> {
        self.approvals_of_action_impl(id).await
    }
    async fn pending_approvals(&self, limit: i64) -> Result<Vec<Approval>> {
        self.pending_approvals_impl(limit).await
    }
    async fn insert_delegation(&self, d: &Delegation, a: &AuditEntry) -> Result<()> {
        self.insert_delegation_impl(d, a).await
    }
    async fn delegations_to(&self, u: UserId, at: jiff::Timestamp) -> Result<Vec<Delegation>> {
        self.delegations_to_impl(u, at).await
    }
    async fn delegations_by(&self, u: UserId) -> Result<Vec<Delegation>> {
        self.delegations_by_impl(u).await
    }
    async fn insert_notifications(&self, n: &[Notification], d: &[Delivery]) -> Result<()> {
        self.insert_notifications_impl(n, d).await
    }
    async fn notifications_of(&self, u: UserId, unread: bool, l: i64) -> Result<Vec<Notification>> {
        self.notifications_of_impl(u, unread, l).await
    }
    async fn mark_notifications_read(
        &self,
        u: UserId,
        ids: &[String],
        at: jiff::Timestamp,
    ) -> Result<u64> {
        self.mark_read_impl(u, ids, at).await
    }
    async fn insert_webhook(&self, w: &Webhook, a: &AuditEntry) -> Result<()> {
        self.insert_webhook_impl(w, a).await
    }
    async fn update_webhook(&self, w: &Webhook, v: i64, a: &AuditEntry) -> Result<()> {
        self.update_webhook_impl(w, v, a).await
    }
    async fn get_webhook(&self, id: &str) -> Result<Option<Webhook>> {
        self.get_webhook_impl(id).await
    }
    async fn webhooks(&self) -> Result<Vec<Webhook>> {
        self.webhooks_impl().await
    }
    async fn due_deliveries(&self, now: jiff::Timestamp, l: i64) -> Result<Vec<Delivery>> {
        self.due_deliveries_impl(now, l).await
    }
    async fn deliveries_of(&self, w: &str, l: i64) -> Result<Vec<Delivery>> {
        self.deliveries_of_impl(w, l).await
    }
    async fn claim_delivery(
        &self,
        id: &str,
        seen: jiff::Timestamp,
        until: jiff::Timestamp,
    ) -> Result<bool> {
        self.claim_delivery_impl(id, seen, until).await
    }
    async fn finish_delivery(&self, d: &Delivery) -> Result<()> {
        self.finish_delivery_impl(d).await
    }

    // ---- OpenPGP: bodies in pgp.rs ----
    async fn upsert_pgp_key(&self, k: &PgpKey, a: &AuditEntry) -> Result<()> {
        self.upsert_pgp_key_impl(k, a).await
    }
    async fn pgp_keys(&self) -> Result<Vec<PgpKey>> {
        self.pgp_keys_impl().await
    }
    async fn delete_pgp_key(&self, fpr: &str, a: &AuditEntry) -> Result<()> {
        self.delete_pgp_key_impl(fpr, a).await
    }
    async fn set_team_key(&self, k: &TeamKeyRecord, a: &AuditEntry) -> Result<()> {
        self.set_team_key_impl(k, a).await
    }
    async fn team_key(&self) -> Result<Option<TeamKeyRecord>> {
        self.team_key_impl().await
    }
    async fn insert_mail_pgp(&self, p: &MailPgp) -> Result<()> {
        self.insert_mail_pgp_impl(p).await
    }
    async fn mail_pgp(&self, raw_id: &str) -> Result<Option<MailPgp>> {
        self.mail_pgp_impl(raw_id).await
    }
    // --- Triage rules, SLA clocks and deadline clocks (issue #6) ---
    async fn save_config(&self, c: &ConfigVersion, e: Option<i64>, a: &AuditEntry) -> Result<i64> {
        self.save_config_impl(c, e, a).await
    }
    async fn config(&self, kind: &str, v: Option<i64>) -> Result<Option<ConfigVersion>> {
        self.config_impl(kind, v).await
    }
    async fn config_versions(&self, kind: &str) -> Result<Vec<ConfigVersion>> {
        self.config_versions_impl(kind).await
    }
    async fn insert_report_triaged(
        &self,
        r: &Report,
        mail: hikeshi_core::ports::MailParts<'_>,
        t: &TriageWrite,
        a: &AuditEntry,
    ) -> Result<Report> {
        self.insert_report_triaged_impl(r, mail, t, a).await
    }
    async fn triage_of(&self, r: ReportId) -> Result<Option<TriageRecord>> {
        self.triage_of_impl(r).await
    }
    async fn put_clocks(&self, c: &[SlaClock]) -> Result<()> {
        self.put_clocks_impl(c).await
    }
    async fn clocks_of(&self, t: &[String]) -> Result<Vec<SlaClock>> {
        self.clocks_of_impl(t).await
    }
    async fn clocks_near_breach(&self, before: Timestamp, limit: i64) -> Result<Vec<SlaClock>> {
        self.clocks_near_breach_impl(before, limit).await
    }
    async fn pending_events(
        &self,
        now: Timestamp,
        limit: i64,
    ) -> Result<(Vec<SlaClock>, Vec<DeadlineClock>)> {
        self.pending_events_impl(now, limit).await
    }
    async fn record_sweep(
        &self,
        c: &[SlaClock],
        d: &[DeadlineClock],
        n: &[NotificationRequest],
    ) -> Result<i64> {
        self.record_sweep_impl(c, d, n).await
    }
    async fn notification_requests(
        &self,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<NotificationRequest>> {
        self.notification_requests_impl(after, limit).await
    }
    async fn insert_deadlines(&self, d: &[DeadlineClock], a: &AuditEntry) -> Result<()> {
        self.insert_deadlines_impl(d, a).await
    }
    async fn update_deadline(&self, d: &DeadlineClock, v: i64, a: &AuditEntry) -> Result<()> {
        self.update_deadline_impl(d, v, a).await
    }
    async fn get_deadline(&self, id: &str) -> Result<Option<DeadlineClock>> {
        self.get_deadline_impl(id).await
    }
    async fn deadlines_of(&self, i: IncidentId) -> Result<Vec<DeadlineClock>> {
        self.deadlines_of_impl(i).await
    }
    async fn deadlines_due(&self, before: Timestamp, limit: i64) -> Result<Vec<DeadlineClock>> {
        self.deadlines_due_impl(before, limit).await
    }
    async fn insert_preset(&self, id: &str, b: &serde_json::Value, a: &AuditEntry) -> Result<()> {
        self.insert_preset_impl(id, b, a).await
    }
    async fn custom_presets(&self) -> Result<Vec<serde_json::Value>> {
        self.custom_presets_impl().await
    }

    // ---- Observables and correlation (issue #5) ----
    async fn add_observables(
        &self,
        b: &[(RecordRef, Vec<NewObservable>)],
        a: &[AuditEntry],
    ) -> Result<()> {
        self.add_observables_impl(b, a).await
    }
    async fn observables_of(&self, record_id: &str) -> Result<Vec<Observable>> {
        self.observables_of_impl(record_id).await
    }
    async fn get_observable(&self, id: &str) -> Result<Option<Observable>> {
        self.get_observable_impl(id).await
    }
    async fn update_observable(&self, o: &Observable, a: &AuditEntry) -> Result<()> {
        self.update_observable_impl(o, a).await
    }
    async fn delete_observable(&self, o: &Observable, a: &AuditEntry) -> Result<()> {
        self.delete_observable_impl(o, a).await
    }
    async fn find_value(&self, k: Kind, v: &str) -> Result<Option<ValueStats>> {
        self.find_value_impl(k, v).await
    }

    // ---- Other intake channels ----
    async fn record_alert(
        &self,
        d: &Report,
        t: &hikeshi_core::triage::TriageWrite,
        s: &AlertSeries,
        after: jiff::Timestamp,
        c: &AuditEntry,
        r: &AuditEntry,
    ) -> Result<(Report, AlertSeries, bool)> {
        self.record_alert_impl(d, t, s, after, c, r).await
    }
    async fn structured_details(
        &self,
        ids: &[String],
    ) -> Result<Vec<(String, StructuredDetails, Option<AlertSeries>)>> {
        self.structured_details_impl(ids).await
    }
    async fn insert_form_rejection(&self, f: &FormRejection) -> Result<()> {
        self.insert_form_rejection_impl(f).await
    }

    // --- Outbound mail, background jobs, mail intake positions (feature: mailout) ---
    async fn insert_raw_messages(&self, m: &[(RawMessage, Vec<u8>)]) -> Result<()> {
        self.insert_raw_messages_impl(m).await
    }
    async fn write_mail_batch(&self, items: &[MailWrite]) -> Result<Vec<Option<String>>> {
        self.write_mail_batch_impl(items).await
    }
    async fn enqueue_jobs(&self, j: &[Job]) -> Result<()> {
        self.enqueue_jobs_impl(j).await
    }
    async fn claim_jobs(&self, now: Timestamp, until: Timestamp, n: i64) -> Result<Vec<Job>> {
        self.claim_jobs_impl(now, until, n).await
    }
    async fn complete_job(&self, id: &str, now: Timestamp) -> Result<()> {
        self.complete_job_impl(id, now).await
    }
    async fn fail_job(
        &self,
        id: &str,
        e: &str,
        at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<()> {
        self.fail_job_impl(id, e, at, now).await
    }
    async fn list_jobs(&self, status: Option<&str>, n: i64) -> Result<Vec<Job>> {
        self.list_jobs_impl(status, n).await
    }
    async fn insert_outbound(
        &self,
        m: &OutboundMail,
        e: Option<&Entry>,
        j: &[Job],
        a: &AuditEntry,
    ) -> Result<()> {
        self.insert_outbound_impl(m, e, j, a).await
    }
    async fn get_outbound(&self, id: &str) -> Result<Option<OutboundMail>> {
        self.get_outbound_impl(id).await
    }
    async fn outbound_of(&self, t: &str) -> Result<Vec<OutboundMail>> {
        self.outbound_of_impl(t).await
    }
    async fn finish_outbound(
        &self,
        id: &str,
        s: &str,
        raw: Option<&[u8]>,
        now: Timestamp,
    ) -> Result<()> {
        self.finish_outbound_impl(id, s, raw, now).await
    }
    async fn record_for_message_ids(&self, ids: &[String]) -> Result<Option<(TargetKind, String)>> {
        self.record_for_message_ids_impl(ids).await
    }
    async fn count_outbound_since(&self, p: &str, r: &str, since: Timestamp) -> Result<i64> {
        self.count_outbound_since_impl(p, r, since).await
    }
    async fn mail_position(&self, s: &str) -> Result<Option<String>> {
        self.mail_position_impl(s).await
    }
    async fn set_mail_position(&self, s: &str, p: &str, now: Timestamp) -> Result<()> {
        self.set_mail_position_impl(s, p, now).await
    }
    async fn claim_imap_message(&self, mb: &str, v: i64, uid: i64, now: Timestamp) -> Result<bool> {
        self.claim_imap_message_impl(mb, v, uid, now).await
    }
    async fn processed_raw_digests(&self, d: &[String]) -> Result<Vec<String>> {
        self.processed_raw_digests_impl(d).await
    }
    async fn release_imap_message(&self, mb: &str, v: i64, uid: i64) -> Result<()> {
        self.release_imap_message_impl(mb, v, uid).await
    }

    // ---- Structured intake: observables follow linked reports (feature: structured-intake) ----
    async fn link_report_observed(
        &self,
        r: ReportId,
        i: IncidentId,
        obs: &[hikeshi_core::observables::NewObservable],
        a: &AuditEntry,
    ) -> Result<()> {
        self.link_report_observed_fwd(r, i, obs, a).await
    }
    async fn merge_incidents_observed(
        &self,
        s: &Incident,
        sv: i64,
        m: &Incident,
        mv: i64,
        a: &[AuditEntry],
        obs: &[hikeshi_core::observables::NewObservable],
    ) -> Result<()> {
        self.merge_incidents_observed_fwd(s, sv, m, mv, a, obs)
            .await
    }

    // ---- Notification delivery (issue #6) ----
    async fn pending_requests(&self, limit: i64) -> Result<Vec<NotificationRequest>> {
        self.pending_requests_impl(limit).await
    }
    async fn write_fanout(
        &self,
        claim: Option<&str>,
        f: &hikeshi_core::app::Fanout,
    ) -> Result<bool> {
        self.write_fanout_impl(claim, f).await
    }

    // ---- Observables at scale (issue #5 bench) ----
    async fn correlation_rows(
        &self,
        v: &[(i64, Option<i64>)],
        l: i64,
        n: i64,
    ) -> Result<Vec<CorrelationRow>> {
        self.correlation_rows_impl(v, l, n).await
    }
}
