//! Approvals and delegations.

use crate::codec::{R, us};
use crate::connect::SqlStore;
use crate::handling::select_where;
use crate::sql::{Val, insert};
use hikeshi_core::Result;
use hikeshi_core::ids::*;
use hikeshi_core::model::*;
use jiff::Timestamp;
use sqlx::any::AnyRow;

pub(crate) const APPROVAL_COLS: &[&str] = &[
    "id",
    "incident_id",
    "action_kind",
    "action_id",
    "required_role",
    "post_hoc",
    "reason",
    "status",
    "requested_by",
    "requested_at",
    "decided_by",
    "on_behalf_of",
    "decided_at",
    "comment",
    "version",
];
pub(crate) const DELEGATION_COLS: &[&str] = &[
    "id",
    "delegator",
    "delegate",
    "starts_at",
    "ends_at",
    "reason",
    "created_at",
];

fn approval_vals(a: &Approval) -> Vec<Val> {
    vec![
        a.id.clone().into(),
        a.incident.to_string().into(),
        a.action_kind.clone().into(),
        a.action_id.clone().into(),
        a.required_role.as_str().into(),
        i64::from(a.post_hoc).into(),
        a.reason.clone().into(),
        a.status.as_str().into(),
        a.requested_by.to_string().into(),
        us(a.requested_at).into(),
        a.decided_by.map(|u| u.to_string()).into(),
        a.on_behalf_of.map(|u| u.to_string()).into(),
        a.decided_at.map(us).into(),
        a.comment.clone().into(),
        a.version.into(),
    ]
}

fn approval(row: &AnyRow) -> Result<Approval> {
    let r = R(row);
    Ok(Approval {
        id: r.s("id")?,
        incident: r.id("incident_id", IncidentId::parse)?,
        action_kind: r.s("action_kind")?,
        action_id: r.s("action_id")?,
        required_role: r.e("required_role", Role::parse_field)?,
        post_hoc: r.b("post_hoc")?,
        reason: r.s("reason")?,
        status: r.e("status", ApprovalStatus::parse_field)?,
        requested_by: r.id("requested_by", UserId::parse)?,
        requested_at: r.t("requested_at")?,
        decided_by: r.oid("decided_by", UserId::parse)?,
        on_behalf_of: r.oid("on_behalf_of", UserId::parse)?,
        decided_at: r.ot("decided_at")?,
        comment: r.os("comment")?,
        version: r.i("version")?,
    })
}

fn delegation_vals(d: &Delegation) -> Vec<Val> {
    vec![
        d.id.clone().into(),
        d.delegator.to_string().into(),
        d.delegate.to_string().into(),
        us(d.starts_at).into(),
        us(d.ends_at).into(),
        d.reason.clone().into(),
        us(d.created_at).into(),
    ]
}

fn delegation(row: &AnyRow) -> Result<Delegation> {
    let r = R(row);
    Ok(Delegation {
        id: r.s("id")?,
        delegator: r.id("delegator", UserId::parse)?,
        delegate: r.id("delegate", UserId::parse)?,
        starts_at: r.t("starts_at")?,
        ends_at: r.t("ends_at")?,
        reason: r.s("reason")?,
        created_at: r.t("created_at")?,
    })
}

impl SqlStore {
    pub(crate) async fn insert_approval_impl(&self, a: &Approval, au: &AuditEntry) -> Result<()> {
        let s = insert("approvals", APPROVAL_COLS, approval_vals(a));
        self.inserts_with_audit(vec![s], au).await
    }

    pub(crate) async fn update_approval_impl(
        &self,
        a: &Approval,
        expected: i64,
        au: &AuditEntry,
    ) -> Result<()> {
        self.versioned_update(
            "approvals",
            APPROVAL_COLS,
            approval_vals(a),
            a.id.clone(),
            expected,
            au,
        )
        .await
    }

    pub(crate) async fn get_approval_impl(&self, id: &str) -> Result<Option<Approval>> {
        let s = select_where(APPROVAL_COLS, "approvals", "id", id, "");
        self.fetch(s).await?.first().map(approval).transpose()
    }

    pub(crate) async fn approvals_of_action_impl(&self, action: &str) -> Result<Vec<Approval>> {
        let s = select_where(
            APPROVAL_COLS,
            "approvals",
            "action_id",
            action,
            " ORDER BY requested_at, id",
        );
        self.fetch(s).await?.iter().map(approval).collect()
    }

    pub(crate) async fn pending_approvals_impl(&self, limit: i64) -> Result<Vec<Approval>> {
        let mut s = select_where(
            APPROVAL_COLS,
            "approvals",
            "status",
            "pending",
            " ORDER BY requested_at, id LIMIT ",
        );
        s.bind(limit);
        self.fetch(s).await?.iter().map(approval).collect()
    }

    pub(crate) async fn insert_delegation_impl(
        &self,
        d: &Delegation,
        au: &AuditEntry,
    ) -> Result<()> {
        let s = insert("delegations", DELEGATION_COLS, delegation_vals(d));
        self.inserts_with_audit(vec![s], au).await
    }

    pub(crate) async fn delegations_to_impl(
        &self,
        delegate: UserId,
        at: Timestamp,
    ) -> Result<Vec<Delegation>> {
        let mut s = select_where(
            DELEGATION_COLS,
            "delegations",
            "delegate",
            delegate.to_string(),
            " AND starts_at <= ",
        );
        s.bind(us(at))
            .push(" AND ends_at > ")
            .bind(us(at))
            .push(" ORDER BY starts_at, id");
        self.fetch(s).await?.iter().map(delegation).collect()
    }

    pub(crate) async fn delegations_by_impl(&self, delegator: UserId) -> Result<Vec<Delegation>> {
        let s = select_where(
            DELEGATION_COLS,
            "delegations",
            "delegator",
            delegator.to_string(),
            " ORDER BY starts_at DESC, id DESC",
        );
        self.fetch(s).await?.iter().map(delegation).collect()
    }
}
