//! Domain ↔ column conversions. Times are microseconds since the epoch (BIGINT), ids and
//! enums TEXT, lists JSON TEXT, booleans 0/1 — the types `Any` carries on both backends.
//! A value that does not decode is an error ("corrupt"), never a silent default.

use crate::sql::Val;
use hikeshi_core::ids::*;
use hikeshi_core::model::*;
use hikeshi_core::{Error, Result};
use jiff::Timestamp;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::Row;
use sqlx::any::AnyRow;

pub(crate) fn us(t: Timestamp) -> i64 {
    t.as_microsecond()
}

fn corrupt(col: &str, e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("corrupt column {col}: {e}"))
}

pub(crate) fn ts(v: i64) -> Result<Timestamp> {
    Timestamp::from_microsecond(v).map_err(|e| corrupt("timestamp", e))
}

pub(crate) fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

pub(crate) struct R<'a>(pub &'a AnyRow);

impl R<'_> {
    pub fn s(&self, c: &str) -> Result<String> {
        self.0.try_get::<String, _>(c).map_err(|e| corrupt(c, e))
    }
    pub fn os(&self, c: &str) -> Result<Option<String>> {
        self.0
            .try_get::<Option<String>, _>(c)
            .map_err(|e| corrupt(c, e))
    }
    pub fn i(&self, c: &str) -> Result<i64> {
        self.0.try_get::<i64, _>(c).map_err(|e| corrupt(c, e))
    }
    pub fn oi(&self, c: &str) -> Result<Option<i64>> {
        self.0
            .try_get::<Option<i64>, _>(c)
            .map_err(|e| corrupt(c, e))
    }
    pub fn b(&self, c: &str) -> Result<bool> {
        Ok(self.i(c)? != 0)
    }
    pub fn t(&self, c: &str) -> Result<Timestamp> {
        ts(self.i(c)?)
    }
    pub fn ot(&self, c: &str) -> Result<Option<Timestamp>> {
        self.oi(c)?.map(ts).transpose()
    }
    pub fn json<T: DeserializeOwned>(&self, c: &str) -> Result<T> {
        serde_json::from_str(&self.s(c)?).map_err(|e| corrupt(c, e))
    }
    pub fn ojson(&self, c: &str) -> Result<Option<serde_json::Value>> {
        match self.os(c)? {
            Some(s) => serde_json::from_str(&s)
                .map(Some)
                .map_err(|e| corrupt(c, e)),
            None => Ok(None),
        }
    }
    pub fn id<T>(&self, c: &str, f: fn(&str) -> Option<T>) -> Result<T> {
        let s = self.s(c)?;
        f(&s).ok_or_else(|| corrupt(c, s))
    }
    pub fn oid<T>(&self, c: &str, f: fn(&str) -> Option<T>) -> Result<Option<T>> {
        match self.os(c)? {
            Some(s) => f(&s).map(Some).ok_or_else(|| corrupt(c, s)),
            None => Ok(None),
        }
    }
    pub fn e<T>(&self, c: &str, f: fn(&str, &str) -> Result<T>) -> Result<T> {
        let s = self.s(c)?;
        f(&s, c).map_err(|e| corrupt(c, e))
    }
}

fn oid_s<T: ToString>(v: &Option<T>) -> Val {
    Val::OS(v.as_ref().map(|x| x.to_string()))
}

pub(crate) const INCIDENT_COLS: &[&str] = &[
    "id",
    "ref",
    "title",
    "description",
    "rsit_class",
    "rsit_type",
    "jpcert_category",
    "severity",
    "impact",
    "urgency",
    "priority",
    "tlp",
    "pap",
    "constituency_id",
    "owner_id",
    "status",
    "resolution",
    "apt",
    "due_at",
    "parent_id",
    "merged_into",
    "tags",
    "named_users",
    "created_by",
    "created_at",
    "updated_at",
    "version",
];

pub(crate) fn incident_vals(i: &Incident) -> Vec<Val> {
    vec![
        i.id.to_string().into(),
        i.reference.clone().into(),
        i.title.clone().into(),
        i.description.clone().into(),
        i.classification.rsit_class.clone().into(),
        i.classification.rsit_type.clone().into(),
        i.classification.jpcert_category.clone().into(),
        i.severity.as_str().into(),
        i.impact.as_str().into(),
        i.urgency.as_str().into(),
        i.priority.into(),
        i.tlp.as_str().into(),
        i.pap.as_str().into(),
        oid_s(&i.constituency),
        oid_s(&i.owner),
        i.status.as_str().into(),
        i.resolution.clone().into(),
        i64::from(i.apt).into(),
        i.due_at.map(us).into(),
        oid_s(&i.parent),
        oid_s(&i.merged_into),
        to_json(&i.tags).into(),
        to_json(&i.named_users).into(),
        i.created_by.to_string().into(),
        us(i.created_at).into(),
        us(i.updated_at).into(),
        i.version.into(),
    ]
}

pub(crate) fn incident(row: &AnyRow) -> Result<Incident> {
    let r = R(row);
    Ok(Incident {
        id: r.id("id", IncidentId::parse)?,
        reference: r.s("ref")?,
        title: r.s("title")?,
        description: r.s("description")?,
        classification: Classification {
            rsit_class: r.os("rsit_class")?,
            rsit_type: r.os("rsit_type")?,
            jpcert_category: r.os("jpcert_category")?,
        },
        severity: r.e("severity", Severity::parse_field)?,
        impact: r.e("impact", Level::parse_field)?,
        urgency: r.e("urgency", Level::parse_field)?,
        priority: r.i("priority")?,
        tlp: r.e("tlp", Tlp::parse_field)?,
        pap: r.e("pap", Pap::parse_field)?,
        constituency: r.oid("constituency_id", ConstituencyId::parse)?,
        owner: r.oid("owner_id", UserId::parse)?,
        status: r.e("status", IncidentStatus::parse_field)?,
        resolution: r.os("resolution")?,
        apt: r.b("apt")?,
        due_at: r.ot("due_at")?,
        parent: r.oid("parent_id", IncidentId::parse)?,
        merged_into: r.oid("merged_into", IncidentId::parse)?,
        tags: r.json("tags")?,
        named_users: r.json("named_users")?,
        created_by: r.id("created_by", UserId::parse)?,
        created_at: r.t("created_at")?,
        updated_at: r.t("updated_at")?,
        version: r.i("version")?,
    })
}

pub(crate) const REPORT_COLS: &[&str] = &[
    "id",
    "ref",
    "channel",
    "reporter",
    "reporter_type",
    "received_at",
    "subject",
    "content",
    "status",
    "reject_reason",
    "constituency_id",
    "owner_id",
    "tlp",
    "tags",
    "named_users",
    "created_by",
    "created_at",
    "updated_at",
    "version",
];

pub(crate) fn report_vals(r: &Report) -> Vec<Val> {
    vec![
        r.id.to_string().into(),
        r.reference.clone().into(),
        r.channel.as_str().into(),
        r.reporter.clone().into(),
        r.reporter_type.as_str().into(),
        us(r.received_at).into(),
        r.subject.clone().into(),
        r.content.clone().into(),
        r.status.as_str().into(),
        r.reject_reason.clone().into(),
        oid_s(&r.constituency),
        oid_s(&r.owner),
        r.tlp.as_str().into(),
        to_json(&r.tags).into(),
        to_json(&r.named_users).into(),
        r.created_by.to_string().into(),
        us(r.created_at).into(),
        us(r.updated_at).into(),
        r.version.into(),
    ]
}

/// A report without its incident links (filled in by the caller).
pub(crate) fn report(row: &AnyRow) -> Result<Report> {
    let r = R(row);
    Ok(Report {
        id: r.id("id", ReportId::parse)?,
        reference: r.s("ref")?,
        channel: r.e("channel", Channel::parse_field)?,
        reporter: r.s("reporter")?,
        reporter_type: r.e("reporter_type", ReporterType::parse_field)?,
        received_at: r.t("received_at")?,
        subject: r.s("subject")?,
        content: r.s("content")?,
        status: r.e("status", ReportStatus::parse_field)?,
        reject_reason: r.os("reject_reason")?,
        constituency: r.oid("constituency_id", ConstituencyId::parse)?,
        owner: r.oid("owner_id", UserId::parse)?,
        tlp: r.e("tlp", Tlp::parse_field)?,
        tags: r.json("tags")?,
        incidents: vec![],
        named_users: r.json("named_users")?,
        created_by: r.id("created_by", UserId::parse)?,
        created_at: r.t("created_at")?,
        updated_at: r.t("updated_at")?,
        version: r.i("version")?,
    })
}

pub(crate) const CONSTITUENCY_COLS: &[&str] = &[
    "id",
    "slug",
    "name",
    "parent_id",
    "default_lang",
    "contacts",
    "netblocks",
    "domains",
    "email_domains",
    "created_at",
    "updated_at",
    "version",
];

pub(crate) fn constituency_vals(c: &Constituency) -> Vec<Val> {
    vec![
        c.id.to_string().into(),
        c.slug.clone().into(),
        c.name.clone().into(),
        oid_s(&c.parent),
        c.default_lang.as_str().into(),
        to_json(&c.contacts).into(),
        to_json(&c.netblocks).into(),
        to_json(&c.domains).into(),
        to_json(&c.email_domains).into(),
        us(c.created_at).into(),
        us(c.updated_at).into(),
        c.version.into(),
    ]
}

pub(crate) fn constituency(row: &AnyRow) -> Result<Constituency> {
    let r = R(row);
    Ok(Constituency {
        id: r.id("id", ConstituencyId::parse)?,
        slug: r.s("slug")?,
        name: r.s("name")?,
        parent: r.oid("parent_id", ConstituencyId::parse)?,
        netblocks: r.json("netblocks")?,
        domains: r.json("domains")?,
        email_domains: r.json("email_domains")?,
        default_lang: r.e("default_lang", Lang::parse_field)?,
        contacts: r.json("contacts")?,
        created_at: r.t("created_at")?,
        updated_at: r.t("updated_at")?,
        version: r.i("version")?,
    })
}

pub(crate) const USER_COLS: &[&str] = &[
    "id",
    "username",
    "display_name",
    "email",
    "role",
    "global",
    "constituencies",
    "password_hash",
    "disabled",
    "created_at",
    "version",
];

pub(crate) fn user_vals(u: &User) -> Vec<Val> {
    vec![
        u.id.to_string().into(),
        u.username.clone().into(),
        u.display_name.clone().into(),
        u.email.clone().into(),
        u.role.as_str().into(),
        i64::from(u.global).into(),
        to_json(&u.constituencies).into(),
        u.password_hash.clone().into(),
        i64::from(u.disabled).into(),
        us(u.created_at).into(),
        u.version.into(),
    ]
}

pub(crate) fn user(row: &AnyRow) -> Result<User> {
    let r = R(row);
    Ok(User {
        id: r.id("id", UserId::parse)?,
        username: r.s("username")?,
        display_name: r.s("display_name")?,
        email: r.os("email")?,
        role: r.e("role", Role::parse_field)?,
        global: r.b("global")?,
        constituencies: r.json("constituencies")?,
        password_hash: r.os("password_hash")?,
        disabled: r.b("disabled")?,
        created_at: r.t("created_at")?,
        version: r.i("version")?,
    })
}

pub(crate) fn token(row: &AnyRow) -> Result<ApiToken> {
    let r = R(row);
    Ok(ApiToken {
        id: r.id("id", TokenId::parse)?,
        user: r.id("user_id", UserId::parse)?,
        name: r.s("name")?,
        scopes: r.json("scopes")?,
        created_at: r.t("created_at")?,
        revoked: r.b("revoked")?,
    })
}

pub(crate) fn target_kind(s: &str, _c: &str) -> Result<TargetKind> {
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map_err(|e| Error::Internal(e.to_string()))
}

pub(crate) const AUDIT_COLS: &[&str] = &[
    "id",
    "seq",
    "at",
    "actor",
    "action",
    "target_kind",
    "target_id",
    "before_json",
    "after_json",
    "hash",
];

pub(crate) fn audit_vals(a: &AuditEntry) -> Vec<Val> {
    vec![
        a.id.to_string().into(),
        a.seq.into(),
        us(a.at).into(),
        a.actor.clone().into(),
        a.action.clone().into(),
        a.target_kind.as_str().into(),
        a.target_id.clone().into(),
        a.before.as_ref().map(|v| v.to_string()).into(),
        a.after.as_ref().map(|v| v.to_string()).into(),
        a.hash.clone().into(),
    ]
}

pub(crate) fn audit(row: &AnyRow) -> Result<AuditEntry> {
    let r = R(row);
    Ok(AuditEntry {
        id: r.id("id", AuditId::parse)?,
        seq: r.oi("seq")?,
        at: r.t("at")?,
        actor: r.s("actor")?,
        action: r.s("action")?,
        target_kind: r.e("target_kind", target_kind)?,
        target_id: r.s("target_id")?,
        before: r.ojson("before_json")?,
        after: r.ojson("after_json")?,
        hash: r.os("hash")?,
    })
}
