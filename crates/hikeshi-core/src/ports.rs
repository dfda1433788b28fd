//! The ports the outside world implements: the store (SQL lives behind it) and the clock.
//!
//! The store is narrow and speaks domain types. It enforces exactly two things itself:
//! optimistic concurrency (`expected_version`) and atomicity — each method is one
//! transaction, and the audit entries passed in are written in that same transaction.
//! It never turns an error into "not found".

use crate::access::Visibility;
use crate::error::Result;
use crate::ids::*;
use crate::model::*;
use crate::observables::{CorrelationRow, Kind, NewObservable, Observable, RecordRef, ValueStats};
use async_trait::async_trait;
use jiff::Timestamp;

/// The source of time. Library code never reads the wall clock.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

/// Sort orders for lists (keyset-paginated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    CreatedDesc,
    CreatedAsc,
    UpdatedDesc,
    UpdatedAsc,
}

impl Sort {
    pub fn parse(s: &str) -> Result<Sort> {
        Ok(match s {
            "-created" | "created_desc" => Sort::CreatedDesc,
            "created" | "created_asc" => Sort::CreatedAsc,
            "-updated" | "updated_desc" => Sort::UpdatedDesc,
            "updated" | "updated_asc" => Sort::UpdatedAsc,
            other => {
                return Err(crate::Error::validation(
                    "sort",
                    format!(
                        "unknown sort {other:?}; expected created, -created, updated or -updated"
                    ),
                ));
            }
        })
    }
}

/// Filters shared by the incident and report lists. Empty = no filter.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Full text (Japanese and English), all terms must match.
    pub q: Option<String>,
    pub status: Vec<String>,
    pub severity: Option<Severity>,
    pub tlp: Option<Tlp>,
    pub constituency: Option<ConstituencyId>,
    /// `Some(None)` = unassigned.
    pub owner: Option<Option<UserId>>,
    pub rsit_class: Option<String>,
    pub tag: Option<String>,
    pub created_from: Option<Timestamp>,
    pub created_to: Option<Timestamp>,
    pub sort: Sort,
    /// Opaque keyset position from a previous page: (sort key in µs, id).
    pub after: Option<(i64, String)>,
    pub limit: i64,
}

#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Position of the last item when there may be more.
    pub next: Option<(i64, String)>,
}

/// A report's mail facts and attachments, when it came by mail.
pub type MailParts<'a> = Option<(&'a MailMeta, &'a [(Attachment, Vec<u8>)])>;

/// One valid session.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: UserId,
    pub csrf: String,
    pub expires_at: Timestamp,
}

/// What one inbound message becomes (bulk intake writes many in one transaction).
#[derive(Debug, Clone)]
pub enum MailWrite {
    /// A new report: with its triage outcome, clocks, observables and queued jobs.
    Report {
        report: Report,
        meta: MailMeta,
        files: Vec<(Attachment, Vec<u8>)>,
        audit: AuditEntry,
        triage: Box<crate::triage::TriageWrite>,
    },
    Entry {
        entry: Entry,
        meta: MailMeta,
        files: Vec<(Attachment, Vec<u8>)>,
        audit: AuditEntry,
    },
}

#[async_trait]
pub trait Store: Send + Sync {
    /// Installation key for token digests; created on first use.
    async fn installation_key(&self) -> Result<Vec<u8>>;

    async fn insert_constituency(&self, c: &Constituency, audit: &AuditEntry) -> Result<()>;
    async fn update_constituency(
        &self,
        c: &Constituency,
        expected_version: i64,
        audit: &AuditEntry,
    ) -> Result<()>;
    async fn get_constituency(&self, id: ConstituencyId) -> Result<Option<Constituency>>;
    async fn constituency_by_slug(&self, slug: &str) -> Result<Option<Constituency>>;
    async fn list_constituencies(&self) -> Result<Vec<Constituency>>;

    async fn insert_user(&self, u: &User, audit: &AuditEntry) -> Result<()>;
    async fn update_user(&self, u: &User, expected_version: i64, audit: &AuditEntry) -> Result<()>;
    async fn get_user(&self, id: UserId) -> Result<Option<User>>;
    async fn user_by_name(&self, username: &str) -> Result<Option<User>>;
    async fn list_users(&self) -> Result<Vec<User>>;
    async fn count_users(&self) -> Result<i64>;

    async fn insert_token(&self, t: &ApiToken, digest: &str, audit: &AuditEntry) -> Result<()>;
    async fn token_by_digest(&self, digest: &str) -> Result<Option<ApiToken>>;
    async fn list_tokens(&self, user: Option<UserId>) -> Result<Vec<ApiToken>>;
    async fn revoke_token(&self, id: TokenId, audit: &AuditEntry) -> Result<()>;

    async fn insert_session(&self, digest: &str, s: &Session) -> Result<()>;
    async fn session(&self, digest: &str) -> Result<Option<Session>>;
    async fn delete_session(&self, digest: &str) -> Result<()>;

    /// Inserts the incident, giving it the next reference `YYYY-NNNN` of its creation year
    /// (never reused) in the same transaction; returns the stored record.
    async fn insert_incident(&self, i: &Incident, audit: &AuditEntry) -> Result<Incident>;
    /// [`insert_incident`](Self::insert_incident) with the new incident's SLA clocks, in the
    /// same transaction (on SQLite, the same group commit).
    async fn insert_incident_clocked(
        &self,
        i: &Incident,
        audit: &AuditEntry,
        clocks: &[crate::sla::SlaClock],
    ) -> Result<Incident>;
    async fn update_incident(
        &self,
        i: &Incident,
        expected_version: i64,
        audit: &AuditEntry,
    ) -> Result<()>;
    async fn get_incident(&self, id: IncidentId) -> Result<Option<Incident>>;
    async fn incident_by_ref(&self, reference: &str) -> Result<Option<Incident>>;
    async fn list_incidents(&self, vis: &Visibility, q: &ListQuery) -> Result<Page<Incident>>;
    async fn child_incidents(&self, parent: IncidentId) -> Result<Vec<Incident>>;
    /// Moves reports, children, investigations, countermeasures, entries and attachments of
    /// `merged` to `survivor`, and stores both (already updated) records.
    async fn merge_incidents(
        &self,
        survivor: &Incident,
        survivor_version: i64,
        merged: &Incident,
        merged_version: i64,
        audit: &[AuditEntry],
    ) -> Result<()>;

    /// Inserts the report with the next reference `RYYYY-NNNN`; returns the stored record.
    async fn insert_report(&self, r: &Report, audit: &AuditEntry) -> Result<Report>;
    async fn update_report(
        &self,
        r: &Report,
        expected_version: i64,
        audit: &AuditEntry,
    ) -> Result<()>;
    async fn get_report(&self, id: ReportId) -> Result<Option<Report>>;
    async fn report_by_ref(&self, reference: &str) -> Result<Option<Report>>;
    async fn list_reports(&self, vis: &Visibility, q: &ListQuery) -> Result<Page<Report>>;
    async fn link_report(
        &self,
        report: ReportId,
        incident: IncidentId,
        audit: &AuditEntry,
    ) -> Result<()>;
    async fn reports_of_incident(&self, incident: IncidentId) -> Result<Vec<Report>>;

    async fn insert_investigation(&self, v: &Investigation, audit: &AuditEntry) -> Result<()>;
    async fn update_investigation(
        &self,
        v: &Investigation,
        expected_version: i64,
        audit: &AuditEntry,
    ) -> Result<()>;
    async fn get_investigation(&self, id: InvestigationId) -> Result<Option<Investigation>>;
    async fn investigations_of(&self, incident: IncidentId) -> Result<Vec<Investigation>>;

    async fn insert_countermeasure(&self, c: &Countermeasure, audit: &AuditEntry) -> Result<()>;
    async fn update_countermeasure(
        &self,
        c: &Countermeasure,
        expected_version: i64,
        audit: &AuditEntry,
    ) -> Result<()>;
    async fn get_countermeasure(&self, id: CountermeasureId) -> Result<Option<Countermeasure>>;
    async fn countermeasures_of(&self, incident: IncidentId) -> Result<Vec<Countermeasure>>;

    async fn insert_entry(&self, e: &Entry, audit: &AuditEntry) -> Result<()>;
    async fn entries_of(&self, target_id: &str) -> Result<Vec<Entry>>;

    /// Stores the bytes content-addressed (once per SHA-256) and the attachment record.
    async fn insert_attachment(
        &self,
        a: &Attachment,
        bytes: &[u8],
        audit: &AuditEntry,
    ) -> Result<()>;
    async fn get_attachment(&self, id: AttachmentId) -> Result<Option<Attachment>>;
    async fn attachments_of(&self, target_id: &str) -> Result<Vec<Attachment>>;
    async fn blob(&self, sha256: &str) -> Result<Option<Vec<u8>>>;

    /// Attachments of several records at once (list pages).
    async fn attachments_of_many(&self, target_ids: &[String]) -> Result<Vec<Attachment>>;

    /// Stores an inbound message exactly as received, committed before anything parses it.
    async fn insert_raw_message(&self, m: &RawMessage, bytes: &[u8]) -> Result<()>;
    /// Records what became of a raw message: `processed` (with the record) or `failed`.
    async fn finish_raw_message(
        &self,
        id: &str,
        status: &str,
        record_id: Option<&str>,
        error: Option<&str>,
    ) -> Result<()>;
    async fn raw_message(&self, id: &str) -> Result<Option<Vec<u8>>>;
    /// A correspondence entry from mail (a reply to one of our records), one transaction.
    async fn insert_mail_entry(
        &self,
        e: &Entry,
        meta: &MailMeta,
        files: &[(Attachment, Vec<u8>)],
        audit: &AuditEntry,
    ) -> Result<()>;
    /// Mail facts of these records (reports or entries), as (record id, facts).
    async fn mail_meta(&self, record_ids: &[String]) -> Result<Vec<(String, MailMeta)>>;
    /// The constituency owning the first of these domains found in its domains or e-mail
    /// domains (exact match; callers pass every parent domain too).
    async fn constituency_for_domains(&self, domains: &[String]) -> Result<Option<ConstituencyId>>;

    /// Active incidents (not resolved, closed or abandoned) the caller may see, counted by
    /// (status, severity). Uses the status index: cost follows open work, not history.
    /// Counts at most `cap` incidents in all (exact below that).
    async fn incident_counts(
        &self,
        vis: &Visibility,
        cap: i64,
    ) -> Result<Vec<(IncidentStatus, Severity, i64)>>;
    /// Active incidents with a due date, soonest first.
    async fn due_incidents(&self, vis: &Visibility, limit: i64) -> Result<Vec<Incident>>;
    /// Investigations / countermeasures of incidents the caller may see. `status`, dates, sort
    /// and cursor apply to the work item; the other filters to its incident.
    async fn list_investigations(
        &self,
        vis: &Visibility,
        q: &ListQuery,
    ) -> Result<Page<Investigation>>;
    async fn list_countermeasures(
        &self,
        vis: &Visibility,
        q: &ListQuery,
    ) -> Result<Page<Countermeasure>>;

    async fn insert_saved_search(&self, s: &SavedSearch, audit: &AuditEntry) -> Result<()>;
    async fn saved_searches(&self, user: UserId) -> Result<Vec<SavedSearch>>;
    /// Deletes one of the user's saved searches (`NotFound` if it is not theirs).
    async fn delete_saved_search(&self, user: UserId, id: &str, audit: &AuditEntry) -> Result<()>;

    /// Audit entries about these targets, oldest first.
    async fn history(&self, target_ids: &[String]) -> Result<Vec<AuditEntry>>;
    /// Appends a stand-alone audit entry (e.g. a login).
    async fn append_audit(&self, audit: &AuditEntry) -> Result<()>;
    /// Gives committed, unsealed entries their sequence and chain hash. Returns how many.
    async fn seal_audit(&self) -> Result<i64>;
    /// The sealed chain in order, and the checkpoint `(seq, hash)`.
    async fn audit_chain(&self) -> Result<(Vec<AuditEntry>, Option<(i64, String)>)>;

    // ---- Handling: playbooks, tasks, plans, verify steps, reviews, approvals,
    // delegations, notifications, webhooks (issue #6 items 4-7) ----

    /// Inserts one playbook version (`Duplicate` when the slug already has that version).
    async fn insert_playbook(&self, p: &Playbook, audit: &AuditEntry) -> Result<()>;
    async fn get_playbook(&self, id: &str) -> Result<Option<Playbook>>;
    /// Every version of one playbook, oldest first.
    async fn playbook_versions(&self, slug: &str) -> Result<Vec<Playbook>>;
    /// The newest version of every playbook, by slug.
    async fn latest_playbooks(&self) -> Result<Vec<Playbook>>;
    /// Inserts the tasks (one playbook application) and the audit entry, one transaction.
    async fn insert_tasks(&self, tasks: &[Task], audit: &AuditEntry) -> Result<()>;
    async fn update_task(&self, t: &Task, expected_version: i64, audit: &AuditEntry) -> Result<()>;
    /// Stores an attachment on the task's incident and the task (evidence list updated).
    async fn add_task_evidence(
        &self,
        t: &Task,
        expected_version: i64,
        a: &Attachment,
        bytes: &[u8],
        audit: &AuditEntry,
    ) -> Result<()>;
    async fn get_task(&self, id: &str) -> Result<Option<Task>>;
    /// Tasks of an incident in order (position, then creation).
    async fn tasks_of(&self, incident: IncidentId) -> Result<Vec<Task>>;
    async fn insert_plan(&self, p: &ResponsePlan, audit: &AuditEntry) -> Result<()>;
    /// Plans of an incident, oldest first.
    async fn plans_of(&self, incident: IncidentId) -> Result<Vec<ResponsePlan>>;
    async fn insert_verification(&self, v: &Verification, audit: &AuditEntry) -> Result<()>;
    async fn verifications_of(&self, incident: IncidentId) -> Result<Vec<Verification>>;
    async fn insert_review(&self, r: &Review, audit: &AuditEntry) -> Result<()>;
    async fn reviews_of(&self, incident: IncidentId) -> Result<Vec<Review>>;
    async fn insert_approval(&self, a: &Approval, audit: &AuditEntry) -> Result<()>;
    async fn update_approval(
        &self,
        a: &Approval,
        expected_version: i64,
        audit: &AuditEntry,
    ) -> Result<()>;
    async fn get_approval(&self, id: &str) -> Result<Option<Approval>>;
    /// Approvals of one action (e.g. a countermeasure id), oldest first.
    async fn approvals_of_action(&self, action_id: &str) -> Result<Vec<Approval>>;
    /// Pending approvals, oldest first, at most `limit`.
    async fn pending_approvals(&self, limit: i64) -> Result<Vec<Approval>>;
    async fn insert_delegation(&self, d: &Delegation, audit: &AuditEntry) -> Result<()>;
    /// Delegations to `delegate` in force at `at` (`starts_at <= at < ends_at`).
    async fn delegations_to(&self, delegate: UserId, at: Timestamp) -> Result<Vec<Delegation>>;
    /// Delegations given by `delegator`, newest first.
    async fn delegations_by(&self, delegator: UserId) -> Result<Vec<Delegation>>;
    /// In-app notifications and outbound deliveries of one event, one transaction.
    async fn insert_notifications(&self, n: &[Notification], d: &[Delivery]) -> Result<()>;
    /// A user's notifications, newest first.
    async fn notifications_of(
        &self,
        user: UserId,
        unread_only: bool,
        limit: i64,
    ) -> Result<Vec<Notification>>;
    /// Marks these of the user's notifications read (all unread when `ids` is empty);
    /// returns how many changed.
    async fn mark_notifications_read(
        &self,
        user: UserId,
        ids: &[String],
        at: Timestamp,
    ) -> Result<u64>;
    async fn insert_webhook(&self, w: &Webhook, audit: &AuditEntry) -> Result<()>;
    async fn update_webhook(
        &self,
        w: &Webhook,
        expected_version: i64,
        audit: &AuditEntry,
    ) -> Result<()>;
    async fn get_webhook(&self, id: &str) -> Result<Option<Webhook>>;
    async fn webhooks(&self) -> Result<Vec<Webhook>>;
    /// Pending deliveries due at `now`, oldest first.
    async fn due_deliveries(&self, now: Timestamp, limit: i64) -> Result<Vec<Delivery>>;
    /// Deliveries of one webhook, newest first.
    async fn deliveries_of(&self, webhook: &str, limit: i64) -> Result<Vec<Delivery>>;
    /// Takes a due delivery for one attempt: moves its `next_at` from `seen_next_at` to
    /// `lease_until` if nobody else did first (several nodes may run the courier). Returns
    /// whether this caller got it; a crashed attempt is retried when the lease runs out.
    async fn claim_delivery(
        &self,
        id: &str,
        seen_next_at: Timestamp,
        lease_until: Timestamp,
    ) -> Result<bool>;
    /// Records the outcome of one attempt (status, attempts, next_at, last_error, sent_at).
    async fn finish_delivery(&self, d: &Delivery) -> Result<()>;

    // --- OpenPGP (feat/openpgp): the keyring, the team key, per-message results ---
    /// Adds a contact's key, or replaces the stored key with the same fingerprint.
    async fn upsert_pgp_key(&self, k: &PgpKey, audit: &AuditEntry) -> Result<()>;
    /// The whole keyring, by fingerprint.
    async fn pgp_keys(&self) -> Result<Vec<PgpKey>>;
    /// Removes a contact's key (`NotFound` when absent).
    async fn delete_pgp_key(&self, fingerprint: &str, audit: &AuditEntry) -> Result<()>;
    /// Installs the team key, replacing any previous one.
    async fn set_team_key(&self, k: &TeamKeyRecord, audit: &AuditEntry) -> Result<()>;
    async fn team_key(&self) -> Result<Option<TeamKeyRecord>>;
    /// Stores what OpenPGP made of a raw message (its decrypted form included).
    async fn insert_mail_pgp(&self, p: &MailPgp) -> Result<()>;
    async fn mail_pgp(&self, raw_id: &str) -> Result<Option<MailPgp>>;
    // --- Triage rules, SLA clocks and deadline clocks (issue #6) ---

    /// Saves a new version of configuration `kind` (`rules`, `sla`): the next version number,
    /// or `Conflict` when `expected` is given and is not the current version.
    async fn save_config(
        &self,
        c: &crate::triage::ConfigVersion,
        expected: Option<i64>,
        audit: &AuditEntry,
    ) -> Result<i64>;
    /// One version of `kind`, or the current one.
    async fn config(
        &self,
        kind: &str,
        version: Option<i64>,
    ) -> Result<Option<crate::triage::ConfigVersion>>;
    /// Every version of `kind`, newest first.
    async fn config_versions(&self, kind: &str) -> Result<Vec<crate::triage::ConfigVersion>>;
    /// A new report with what triage decided (record, link, notifications, clocks, deadline
    /// clocks, observables — also on a linked incident —, queued jobs, structured details,
    /// uploaded files), and for mail its facts and attachments: one transaction.
    async fn insert_report_triaged(
        &self,
        r: &Report,
        mail: MailParts<'_>,
        t: &crate::triage::TriageWrite,
        audit: &AuditEntry,
    ) -> Result<Report>;
    async fn triage_of(&self, report: ReportId) -> Result<Option<crate::triage::TriageRecord>>;
    /// Inserts or replaces SLA clocks (by id).
    async fn put_clocks(&self, clocks: &[crate::sla::SlaClock]) -> Result<()>;
    async fn clocks_of(&self, target_ids: &[String]) -> Result<Vec<crate::sla::SlaClock>>;
    /// Running clocks whose warning time is before `before`, soonest breach first.
    async fn clocks_near_breach(
        &self,
        before: Timestamp,
        limit: i64,
    ) -> Result<Vec<crate::sla::SlaClock>>;
    /// Clocks and deadline clocks with an unrecorded event at or before `now` (indexed).
    async fn pending_events(
        &self,
        now: Timestamp,
        limit: i64,
    ) -> Result<(
        Vec<crate::sla::SlaClock>,
        Vec<crate::deadlines::DeadlineClock>,
    )>;
    /// Stores the sweep's result: the clocks' event flags and next event times, and the
    /// notification requests (a request whose `dedup_key` exists is skipped). Returns how
    /// many requests were new.
    async fn record_sweep(
        &self,
        clocks: &[crate::sla::SlaClock],
        deadlines: &[crate::deadlines::DeadlineClock],
        notes: &[crate::triage::NotificationRequest],
    ) -> Result<i64>;
    /// Notification requests in the order recorded, after the given id.
    async fn notification_requests(
        &self,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<crate::triage::NotificationRequest>>;
    async fn insert_deadlines(
        &self,
        ds: &[crate::deadlines::DeadlineClock],
        audit: &AuditEntry,
    ) -> Result<()>;
    /// Updates status, submission and event fields of a deadline clock (versioned).
    async fn update_deadline(
        &self,
        d: &crate::deadlines::DeadlineClock,
        expected_version: i64,
        audit: &AuditEntry,
    ) -> Result<()>;
    async fn get_deadline(&self, id: &str) -> Result<Option<crate::deadlines::DeadlineClock>>;
    async fn deadlines_of(
        &self,
        incident: IncidentId,
    ) -> Result<Vec<crate::deadlines::DeadlineClock>>;
    /// Draft deadline clocks due before `before`, soonest first.
    async fn deadlines_due(
        &self,
        before: Timestamp,
        limit: i64,
    ) -> Result<Vec<crate::deadlines::DeadlineClock>>;
    /// Stores a custom deadline preset (JSON of `hikeshi_calendar::deadline::Preset`).
    async fn insert_preset(
        &self,
        id: &str,
        body: &serde_json::Value,
        audit: &AuditEntry,
    ) -> Result<()>;
    async fn custom_presets(&self) -> Result<Vec<serde_json::Value>>;
    // ---- Observables and correlation (issue #5) ----

    /// Links values to records: a value new to a record is a new link (the value's record
    /// count grows); a known one gets its sightings added and `last_seen` moved. The audit
    /// entries are written in the same transaction. Many records in one call (bulk ingest).
    async fn add_observables(
        &self,
        batch: &[(RecordRef, Vec<NewObservable>)],
        audit: &[AuditEntry],
    ) -> Result<()>;
    /// The observables of a record, by kind then value.
    async fn observables_of(&self, record_id: &str) -> Result<Vec<Observable>>;
    async fn get_observable(&self, id: &str) -> Result<Option<Observable>>;
    /// Stores the IOC flag, TLP and tags of an observable.
    async fn update_observable(&self, o: &Observable, audit: &AuditEntry) -> Result<()>;
    /// Unlinks the value from the record (the value's record count drops).
    async fn delete_observable(&self, o: &Observable, audit: &AuditEntry) -> Result<()>;
    /// A stored value by kind and normalised value.
    async fn find_value(&self, kind: Kind, value: &str) -> Result<Option<ValueStats>>;

    // ---- Other intake channels: alerts, structured formats, the public web form ----

    /// Records one alert. When the open series of `(series.source, series.dedup_key)` was
    /// opened after `opened_after`, its counter rises and `repeat` is written (its target
    /// set to that report); otherwise `draft` becomes a new report with everything triage
    /// decided (`t`: structured details, observables, clocks, …, as
    /// [`Store::insert_report_triaged`]) and a new series, and `create` is written. One
    /// transaction; the series row is claimed by an upsert, so concurrent posts with one key
    /// never make two reports. Returns the report, its series and whether it was new.
    async fn record_alert(
        &self,
        draft: &Report,
        t: &crate::triage::TriageWrite,
        series: &AlertSeries,
        opened_after: jiff::Timestamp,
        create: &AuditEntry,
        repeat: &AuditEntry,
    ) -> Result<(Report, AlertSeries, bool)>;
    /// Structured details and alert series of these reports, as (report id, details, series).
    async fn structured_details(
        &self,
        report_ids: &[String],
    ) -> Result<Vec<(String, StructuredDetails, Option<AlertSeries>)>>;
    /// Keeps a public-form submission that did not become a report (honeypot, spam).
    async fn insert_form_rejection(&self, r: &FormRejection) -> Result<()>;

    // --- Outbound mail, background jobs, mail intake positions (feature: mailout) ---

    /// Bulk intake: raw messages stored in one transaction (before anything parses them).
    async fn insert_raw_messages(&self, msgs: &[(RawMessage, Vec<u8>)]) -> Result<()>;
    /// Bulk intake: many parsed messages in ONE transaction, each raw message marked
    /// `processed` with its record; returns each new report's reference (`None` for entries).
    /// All or nothing: on error the caller stores them one by one.
    async fn write_mail_batch(&self, items: &[MailWrite]) -> Result<Vec<Option<String>>>;

    /// Enqueues jobs on their own (a job whose `dedupe_key` exists is skipped).
    async fn enqueue_jobs(&self, jobs: &[crate::outbound::Job]) -> Result<()>;
    /// Leases up to `limit` due jobs (`pending`, or `running` with an expired lease) until
    /// `lease_until`, counting an attempt each. Safe with several nodes: PostgreSQL skips
    /// rows another node holds (`FOR UPDATE SKIP LOCKED`); SQLite has one writer.
    async fn claim_jobs(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: i64,
    ) -> Result<Vec<crate::outbound::Job>>;
    /// Marks a claimed job done.
    async fn complete_job(&self, id: &str, now: Timestamp) -> Result<()>;
    /// Records a failed attempt: again at `retry_at`, or `dead` when `None`.
    async fn fail_job(
        &self,
        id: &str,
        error: &str,
        retry_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<()>;
    /// Jobs by status (`None` = all), oldest first.
    async fn list_jobs(
        &self,
        status: Option<&str>,
        limit: i64,
    ) -> Result<Vec<crate::outbound::Job>>;
    /// Stores an outbound message, the correspondence entry recording it (if any), jobs and
    /// the audit entry, in one transaction.
    async fn insert_outbound(
        &self,
        m: &crate::outbound::OutboundMail,
        entry: Option<&Entry>,
        jobs: &[crate::outbound::Job],
        audit: &AuditEntry,
    ) -> Result<()>;
    async fn get_outbound(&self, id: &str) -> Result<Option<crate::outbound::OutboundMail>>;
    /// Outbound messages on a record, oldest first.
    async fn outbound_of(&self, target_id: &str) -> Result<Vec<crate::outbound::OutboundMail>>;
    /// Marks an outbound message sent (or `suppressed`), keeping the bytes as sent.
    async fn finish_outbound(
        &self,
        id: &str,
        status: &str,
        raw: Option<&[u8]>,
        now: Timestamp,
    ) -> Result<()>;
    /// The record a message we sent belongs to, for the first of these Message-IDs found.
    async fn record_for_message_ids(&self, ids: &[String]) -> Result<Option<(TargetKind, String)>>;
    /// Outbound messages of this purpose to this address (lower case) created since `since`.
    async fn count_outbound_since(
        &self,
        purpose: &str,
        rcpt: &str,
        since: Timestamp,
    ) -> Result<i64>;
    /// Resumable intake position (`import:/path/to.mbox` → byte offset, …).
    async fn mail_position(&self, source: &str) -> Result<Option<String>>;
    async fn set_mail_position(&self, source: &str, position: &str, now: Timestamp) -> Result<()>;
    /// Claims one IMAP message (mailbox, UIDVALIDITY, UID) for this node: `false` when
    /// another node (or an earlier run) already has it. Unique in the database.
    async fn claim_imap_message(
        &self,
        mailbox: &str,
        uidvalidity: i64,
        uid: i64,
        now: Timestamp,
    ) -> Result<bool>;
    /// Which of these SHA-256 digests belong to raw messages already processed (a resumed
    /// import skips them, so a batch cut short is not imported twice).
    async fn processed_raw_digests(&self, sha256: &[String]) -> Result<Vec<String>>;
    /// Gives a claim back (the message could not be ingested; another pass retries it).
    async fn release_imap_message(&self, mailbox: &str, uidvalidity: i64, uid: i64) -> Result<()>;

    // ---- Structured intake: observables follow linked reports (feature: structured-intake) ----

    /// `link_report`, and `obs` (the report's observables) linked to the incident too, in
    /// the same transaction.
    async fn link_report_observed(
        &self,
        report: ReportId,
        incident: IncidentId,
        obs: &[NewObservable],
        audit: &AuditEntry,
    ) -> Result<()>;
    /// `merge_incidents`, and `obs` (the merged incident's observables) linked to the
    /// survivor too, in the same transaction.
    async fn merge_incidents_observed(
        &self,
        survivor: &Incident,
        survivor_expected: i64,
        merged: &Incident,
        merged_expected: i64,
        audit: &[AuditEntry],
        obs: &[NewObservable],
    ) -> Result<()>;

    // ---- Notification delivery (issue #6) ----

    /// Pending notification requests, oldest first (a partial index over `pending`).
    async fn pending_requests(&self, limit: i64)
    -> Result<Vec<crate::triage::NotificationRequest>>;
    /// Writes one notification's fan-out (in-app rows, webhook outbox rows, notification mail
    /// with its send jobs) in one transaction. With `claim`, first moves that request from
    /// `pending` to `delivered` with a conditional UPDATE: when another node (or run) already
    /// did, nothing is written and the result is `false` — each request is delivered once.
    async fn write_fanout(&self, claim: Option<&str>, f: &crate::app::Fanout) -> Result<bool>;

    // ---- Observables at scale (issue #5 bench): correlation in one round trip ----

    /// Everything correlation reads, in one statement: for each `(value id, prefix)`, the
    /// records linking the value (at most `limit` links, newest first) and, when it has a
    /// prefix, the records linking other non-common values of its /24 or /48 (at most
    /// `net_limit` links, in no particular order); each row with its record's facts when
    /// the record is a stored report or incident. A record may repeat.
    async fn correlation_rows(
        &self,
        values: &[(i64, Option<i64>)],
        limit: i64,
        net_limit: i64,
    ) -> Result<Vec<CorrelationRow>>;
}
