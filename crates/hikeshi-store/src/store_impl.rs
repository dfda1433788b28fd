//! `Store` for `SqlStore`: one line per method, the bodies live beside their tables.

use crate::connect::SqlStore;
use async_trait::async_trait;
use hikeshi_core::Result;
use hikeshi_core::access::Visibility;
use hikeshi_core::ids::*;
use hikeshi_core::model::*;
use hikeshi_core::outbound::{Job, OutboundMail};
use hikeshi_core::ports::{ListQuery, MailWrite, Page, Session, Store};
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
        self.insert_incident_impl(i, a).await
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
    async fn insert_mail_report(
        &self,
        r: &Report,
        m: &MailMeta,
        f: &[(Attachment, Vec<u8>)],
        a: &AuditEntry,
    ) -> Result<Report> {
        self.insert_mail_report_impl(r, m, f, a).await
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

    // --- Outbound mail, background jobs, mail intake positions (feature: mailout) ---
    async fn insert_raw_messages(&self, m: &[(RawMessage, Vec<u8>)]) -> Result<()> {
        self.insert_raw_messages_impl(m).await
    }
    async fn write_mail_batch(&self, items: &[MailWrite]) -> Result<Vec<Option<String>>> {
        self.write_mail_batch_impl(items).await
    }
    async fn insert_mail_report_queued(
        &self,
        r: &Report,
        m: &MailMeta,
        f: &[(Attachment, Vec<u8>)],
        a: &AuditEntry,
        j: &[Job],
    ) -> Result<Report> {
        self.insert_mail_report_queued_impl(r, m, f, a, j).await
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
}
