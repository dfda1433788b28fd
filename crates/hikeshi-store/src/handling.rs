//! Handling tables: playbooks (one row per version), incident tasks, response plans, verify
//! steps and post-incident reviews.

use crate::audit::{update_row, write};
use crate::codec::{R, to_json, us};
use crate::connect::{SqlStore, db_err};
use crate::sql::{Sql, Val, insert};
use crate::work::insert_attachment_tx;
use hikeshi_core::Result;
use hikeshi_core::ids::*;
use hikeshi_core::model::*;
use sqlx::any::AnyRow;

pub(crate) const PLAYBOOK_COLS: &[&str] = &[
    "id",
    "slug",
    "version",
    "title_ja",
    "title_en",
    "classifications",
    "tasks",
    "reason",
    "created_by",
    "created_at",
];
pub(crate) const TASK_COLS: &[&str] = &[
    "id",
    "incident_id",
    "playbook_id",
    "playbook_slug",
    "playbook_version",
    "position",
    "title_ja",
    "title_en",
    "description",
    "checklist",
    "owner_id",
    "due_at",
    "status",
    "notes",
    "evidence",
    "created_at",
    "updated_at",
    "version",
];
pub(crate) const PLAN_COLS: &[&str] = &[
    "id",
    "incident_id",
    "iteration",
    "objectives",
    "strategy",
    "risk",
    "risk_tolerance",
    "decided_by",
    "created_at",
];
pub(crate) const VERIFY_COLS: &[&str] = &[
    "id",
    "incident_id",
    "iteration",
    "outcome",
    "notes",
    "verified_by",
    "created_at",
];
pub(crate) const REVIEW_COLS: &[&str] = &[
    "id",
    "incident_id",
    "root_cause",
    "why",
    "changes",
    "reviewed_by",
    "created_at",
];

fn playbook_vals(p: &Playbook) -> Vec<Val> {
    vec![
        p.id.clone().into(),
        p.slug.clone().into(),
        p.version.into(),
        p.title_ja.clone().into(),
        p.title_en.clone().into(),
        to_json(&p.classifications).into(),
        to_json(&p.tasks).into(),
        p.reason.clone().into(),
        p.created_by.to_string().into(),
        us(p.created_at).into(),
    ]
}

fn playbook(row: &AnyRow) -> Result<Playbook> {
    let r = R(row);
    Ok(Playbook {
        id: r.s("id")?,
        slug: r.s("slug")?,
        version: r.i("version")?,
        title_ja: r.s("title_ja")?,
        title_en: r.s("title_en")?,
        classifications: r.json("classifications")?,
        tasks: r.json("tasks")?,
        reason: r.os("reason")?,
        created_by: r.id("created_by", UserId::parse)?,
        created_at: r.t("created_at")?,
    })
}

fn task_vals(t: &Task) -> Vec<Val> {
    vec![
        t.id.clone().into(),
        t.incident.to_string().into(),
        t.playbook.clone().into(),
        t.playbook_slug.clone().into(),
        t.playbook_version.into(),
        t.position.into(),
        t.title_ja.clone().into(),
        t.title_en.clone().into(),
        t.description.clone().into(),
        to_json(&t.checklist).into(),
        t.owner.map(|u| u.to_string()).into(),
        t.due_at.map(us).into(),
        t.status.as_str().into(),
        t.notes.clone().into(),
        to_json(&t.evidence).into(),
        us(t.created_at).into(),
        us(t.updated_at).into(),
        t.version.into(),
    ]
}

fn task(row: &AnyRow) -> Result<Task> {
    let r = R(row);
    Ok(Task {
        id: r.s("id")?,
        incident: r.id("incident_id", IncidentId::parse)?,
        playbook: r.os("playbook_id")?,
        playbook_slug: r.os("playbook_slug")?,
        playbook_version: r.oi("playbook_version")?,
        position: r.i("position")?,
        title_ja: r.s("title_ja")?,
        title_en: r.s("title_en")?,
        description: r.s("description")?,
        checklist: r.json("checklist")?,
        owner: r.oid("owner_id", UserId::parse)?,
        due_at: r.ot("due_at")?,
        status: r.e("status", TaskStatus::parse_field)?,
        notes: r.s("notes")?,
        evidence: r.json("evidence")?,
        created_at: r.t("created_at")?,
        updated_at: r.t("updated_at")?,
        version: r.i("version")?,
    })
}

fn plan_vals(p: &ResponsePlan) -> Vec<Val> {
    vec![
        p.id.clone().into(),
        p.incident.to_string().into(),
        p.iteration.into(),
        p.objectives.clone().into(),
        p.strategy.map(|s| s.as_str().to_string()).into(),
        p.risk.clone().into(),
        p.risk_tolerance.clone().into(),
        p.decided_by.to_string().into(),
        us(p.created_at).into(),
    ]
}

fn plan(row: &AnyRow) -> Result<ResponsePlan> {
    let r = R(row);
    Ok(ResponsePlan {
        id: r.s("id")?,
        incident: r.id("incident_id", IncidentId::parse)?,
        iteration: r.i("iteration")?,
        objectives: r.s("objectives")?,
        strategy: match r.os("strategy")? {
            Some(s) => Some(Strategy::parse_field(&s, "strategy")?),
            None => None,
        },
        risk: r.s("risk")?,
        risk_tolerance: r.s("risk_tolerance")?,
        decided_by: r.id("decided_by", UserId::parse)?,
        created_at: r.t("created_at")?,
    })
}

fn verify_vals(v: &Verification) -> Vec<Val> {
    vec![
        v.id.clone().into(),
        v.incident.to_string().into(),
        v.iteration.into(),
        v.outcome.as_str().into(),
        v.notes.clone().into(),
        v.verified_by.to_string().into(),
        us(v.created_at).into(),
    ]
}

fn verification(row: &AnyRow) -> Result<Verification> {
    let r = R(row);
    Ok(Verification {
        id: r.s("id")?,
        incident: r.id("incident_id", IncidentId::parse)?,
        iteration: r.i("iteration")?,
        outcome: r.e("outcome", VerifyOutcome::parse_field)?,
        notes: r.s("notes")?,
        verified_by: r.id("verified_by", UserId::parse)?,
        created_at: r.t("created_at")?,
    })
}

fn review_vals(v: &Review) -> Vec<Val> {
    vec![
        v.id.clone().into(),
        v.incident.to_string().into(),
        v.root_cause.clone().into(),
        v.why.clone().into(),
        v.changes.clone().into(),
        v.reviewed_by.to_string().into(),
        us(v.created_at).into(),
    ]
}

fn review(row: &AnyRow) -> Result<Review> {
    let r = R(row);
    Ok(Review {
        id: r.s("id")?,
        incident: r.id("incident_id", IncidentId::parse)?,
        root_cause: r.s("root_cause")?,
        why: r.s("why")?,
        changes: r.s("changes")?,
        reviewed_by: r.id("reviewed_by", UserId::parse)?,
        created_at: r.t("created_at")?,
    })
}

/// `SELECT cols FROM table WHERE col = $1 <tail>`.
pub(crate) fn select_where(
    cols: &[&str],
    table: &str,
    col: &str,
    v: impl Into<Val>,
    tail: &str,
) -> Sql {
    let mut s = Sql::new(&format!(
        "SELECT {} FROM {table} WHERE {col} = ",
        cols.join(", ")
    ));
    s.bind(v).push(tail);
    s
}

impl SqlStore {
    /// Some inserts and an audit entry, one transaction.
    pub(crate) async fn inserts_with_audit(
        &self,
        stmts: Vec<Sql>,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        for s in stmts {
            s.query().execute(&mut *tx).await.map_err(db_err)?;
        }
        write(&mut tx, audit).await?;
        tx.commit().await.map_err(db_err)
    }

    pub(crate) async fn versioned_update(
        &self,
        table: &str,
        cols: &[&str],
        vals: Vec<Val>,
        id: String,
        expected: i64,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        update_row(&mut tx, table, cols, vals, id, expected).await?;
        write(&mut tx, audit).await?;
        tx.commit().await.map_err(db_err)
    }

    pub(crate) async fn fetch(&self, s: Sql) -> Result<Vec<AnyRow>> {
        s.query().fetch_all(&self.read).await.map_err(db_err)
    }

    pub(crate) async fn insert_playbook_impl(&self, p: &Playbook, a: &AuditEntry) -> Result<()> {
        let s = insert("playbooks", PLAYBOOK_COLS, playbook_vals(p));
        self.inserts_with_audit(vec![s], a).await
    }

    pub(crate) async fn get_playbook_impl(&self, id: &str) -> Result<Option<Playbook>> {
        let s = select_where(PLAYBOOK_COLS, "playbooks", "id", id, "");
        self.fetch(s).await?.first().map(playbook).transpose()
    }

    pub(crate) async fn playbook_versions_impl(&self, slug: &str) -> Result<Vec<Playbook>> {
        let s = select_where(
            PLAYBOOK_COLS,
            "playbooks",
            "slug",
            slug,
            " ORDER BY version",
        );
        self.fetch(s).await?.iter().map(playbook).collect()
    }

    pub(crate) async fn latest_playbooks_impl(&self) -> Result<Vec<Playbook>> {
        let s = Sql::new(&format!(
            "SELECT {} FROM playbooks p WHERE version = (SELECT MAX(version) FROM playbooks q WHERE q.slug = p.slug) ORDER BY slug",
            PLAYBOOK_COLS.join(", ")
        ));
        self.fetch(s).await?.iter().map(playbook).collect()
    }

    pub(crate) async fn insert_tasks_impl(&self, tasks: &[Task], a: &AuditEntry) -> Result<()> {
        let stmts = tasks
            .iter()
            .map(|t| insert("incident_tasks", TASK_COLS, task_vals(t)))
            .collect();
        self.inserts_with_audit(stmts, a).await
    }

    pub(crate) async fn update_task_impl(
        &self,
        t: &Task,
        expected: i64,
        a: &AuditEntry,
    ) -> Result<()> {
        self.versioned_update(
            "incident_tasks",
            TASK_COLS,
            task_vals(t),
            t.id.clone(),
            expected,
            a,
        )
        .await
    }

    pub(crate) async fn add_task_evidence_impl(
        &self,
        t: &Task,
        expected: i64,
        att: &Attachment,
        bytes: &[u8],
        a: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        update_row(
            &mut tx,
            "incident_tasks",
            TASK_COLS,
            task_vals(t),
            t.id.clone(),
            expected,
        )
        .await?;
        insert_attachment_tx(&mut tx, att, bytes).await?;
        write(&mut tx, a).await?;
        tx.commit().await.map_err(db_err)
    }

    pub(crate) async fn get_task_impl(&self, id: &str) -> Result<Option<Task>> {
        let s = select_where(TASK_COLS, "incident_tasks", "id", id, "");
        self.fetch(s).await?.first().map(task).transpose()
    }

    pub(crate) async fn tasks_of_impl(&self, i: IncidentId) -> Result<Vec<Task>> {
        let s = select_where(
            TASK_COLS,
            "incident_tasks",
            "incident_id",
            i.to_string(),
            " ORDER BY created_at, position, id",
        );
        self.fetch(s).await?.iter().map(task).collect()
    }

    pub(crate) async fn insert_plan_impl(&self, p: &ResponsePlan, a: &AuditEntry) -> Result<()> {
        let s = insert("response_plans", PLAN_COLS, plan_vals(p));
        self.inserts_with_audit(vec![s], a).await
    }

    pub(crate) async fn plans_of_impl(&self, i: IncidentId) -> Result<Vec<ResponsePlan>> {
        let s = select_where(
            PLAN_COLS,
            "response_plans",
            "incident_id",
            i.to_string(),
            " ORDER BY created_at, id",
        );
        self.fetch(s).await?.iter().map(plan).collect()
    }

    pub(crate) async fn insert_verification_impl(
        &self,
        v: &Verification,
        a: &AuditEntry,
    ) -> Result<()> {
        let s = insert("verifications", VERIFY_COLS, verify_vals(v));
        self.inserts_with_audit(vec![s], a).await
    }

    pub(crate) async fn verifications_of_impl(&self, i: IncidentId) -> Result<Vec<Verification>> {
        let s = select_where(
            VERIFY_COLS,
            "verifications",
            "incident_id",
            i.to_string(),
            " ORDER BY created_at, id",
        );
        self.fetch(s).await?.iter().map(verification).collect()
    }

    pub(crate) async fn insert_review_impl(&self, r: &Review, a: &AuditEntry) -> Result<()> {
        let s = insert("incident_reviews", REVIEW_COLS, review_vals(r));
        self.inserts_with_audit(vec![s], a).await
    }

    pub(crate) async fn reviews_of_impl(&self, i: IncidentId) -> Result<Vec<Review>> {
        let s = select_where(
            REVIEW_COLS,
            "incident_reviews",
            "incident_id",
            i.to_string(),
            " ORDER BY created_at, id",
        );
        self.fetch(s).await?.iter().map(review).collect()
    }
}
