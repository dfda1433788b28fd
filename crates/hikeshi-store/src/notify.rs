//! In-app notifications, webhooks and the webhook delivery outbox.

use crate::codec::{R, to_json, us};
use crate::connect::{SqlStore, db_err};
use crate::handling::select_where;
use crate::sql::{Sql, Val, insert};
use hikeshi_core::Result;
use hikeshi_core::ids::*;
use hikeshi_core::model::*;
use jiff::Timestamp;
use sqlx::any::AnyRow;

pub(crate) const NOTE_COLS: &[&str] = &[
    "id",
    "user_id",
    "event",
    "reference",
    "link",
    "text",
    "created_at",
    "read_at",
];
pub(crate) const HOOK_COLS: &[&str] = &[
    "id",
    "constituency_id",
    "name",
    "url",
    "format",
    "events",
    "active",
    "created_by",
    "created_at",
    "updated_at",
    "version",
];
pub(crate) const OUTBOX_COLS: &[&str] = &[
    "id",
    "webhook_id",
    "event",
    "url",
    "content_type",
    "body",
    "status",
    "attempts",
    "next_at",
    "last_error",
    "created_at",
    "sent_at",
];

pub(crate) fn note_vals(n: &Notification) -> Vec<Val> {
    vec![
        n.id.clone().into(),
        n.user.to_string().into(),
        n.event.clone().into(),
        n.reference.clone().into(),
        n.link.clone().into(),
        n.text.clone().into(),
        us(n.created_at).into(),
        n.read_at.map(us).into(),
    ]
}

fn note(row: &AnyRow) -> Result<Notification> {
    let r = R(row);
    Ok(Notification {
        id: r.s("id")?,
        user: r.id("user_id", UserId::parse)?,
        event: r.s("event")?,
        reference: r.s("reference")?,
        link: r.s("link")?,
        text: r.s("text")?,
        created_at: r.t("created_at")?,
        read_at: r.ot("read_at")?,
    })
}

fn hook_vals(w: &Webhook) -> Vec<Val> {
    vec![
        w.id.clone().into(),
        w.constituency.map(|c| c.to_string()).into(),
        w.name.clone().into(),
        w.url.clone().into(),
        w.format.as_str().into(),
        to_json(&w.events).into(),
        i64::from(w.active).into(),
        w.created_by.to_string().into(),
        us(w.created_at).into(),
        us(w.updated_at).into(),
        w.version.into(),
    ]
}

fn hook(row: &AnyRow) -> Result<Webhook> {
    let r = R(row);
    Ok(Webhook {
        id: r.s("id")?,
        constituency: r.oid("constituency_id", ConstituencyId::parse)?,
        name: r.s("name")?,
        url: r.s("url")?,
        format: r.e("format", WebhookFormat::parse_field)?,
        events: r.json("events")?,
        active: r.b("active")?,
        created_by: r.id("created_by", UserId::parse)?,
        created_at: r.t("created_at")?,
        updated_at: r.t("updated_at")?,
        version: r.i("version")?,
    })
}

pub(crate) fn outbox_vals(d: &Delivery) -> Vec<Val> {
    vec![
        d.id.clone().into(),
        d.webhook.clone().into(),
        d.event.clone().into(),
        d.url.clone().into(),
        d.content_type.clone().into(),
        d.body.clone().into(),
        d.status.clone().into(),
        d.attempts.into(),
        us(d.next_at).into(),
        d.last_error.clone().into(),
        us(d.created_at).into(),
        d.sent_at.map(us).into(),
    ]
}

fn delivery(row: &AnyRow) -> Result<Delivery> {
    let r = R(row);
    Ok(Delivery {
        id: r.s("id")?,
        webhook: r.s("webhook_id")?,
        event: r.s("event")?,
        url: r.s("url")?,
        content_type: r.s("content_type")?,
        body: r.s("body")?,
        status: r.s("status")?,
        attempts: r.i("attempts")?,
        next_at: r.t("next_at")?,
        last_error: r.os("last_error")?,
        created_at: r.t("created_at")?,
        sent_at: r.ot("sent_at")?,
    })
}

impl SqlStore {
    pub(crate) async fn insert_notifications_impl(
        &self,
        ns: &[Notification],
        ds: &[Delivery],
    ) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        for n in ns {
            insert("notifications", NOTE_COLS, note_vals(n))
                .query()
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        }
        for d in ds {
            insert("webhook_outbox", OUTBOX_COLS, outbox_vals(d))
                .query()
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        }
        tx.commit().await.map_err(db_err)
    }

    pub(crate) async fn notifications_of_impl(
        &self,
        user: UserId,
        unread_only: bool,
        limit: i64,
    ) -> Result<Vec<Notification>> {
        let tail = if unread_only {
            " AND read_at IS NULL ORDER BY created_at DESC, id DESC LIMIT "
        } else {
            " ORDER BY created_at DESC, id DESC LIMIT "
        };
        let mut s = select_where(
            NOTE_COLS,
            "notifications",
            "user_id",
            user.to_string(),
            tail,
        );
        s.bind(limit);
        self.fetch(s).await?.iter().map(note).collect()
    }

    pub(crate) async fn mark_read_impl(
        &self,
        user: UserId,
        ids: &[String],
        at: Timestamp,
    ) -> Result<u64> {
        let mut s = Sql::new("UPDATE notifications SET read_at = ");
        s.bind(us(at))
            .push(" WHERE user_id = ")
            .bind(user.to_string())
            .push(" AND read_at IS NULL");
        if !ids.is_empty() {
            s.push(" AND id IN ").bind_list(ids.iter().cloned());
        }
        let r = s.query().execute(&self.write).await.map_err(db_err)?;
        Ok(r.rows_affected())
    }

    pub(crate) async fn insert_webhook_impl(&self, w: &Webhook, a: &AuditEntry) -> Result<()> {
        let s = insert("webhooks", HOOK_COLS, hook_vals(w));
        self.inserts_with_audit(vec![s], a).await
    }

    pub(crate) async fn update_webhook_impl(
        &self,
        w: &Webhook,
        expected: i64,
        a: &AuditEntry,
    ) -> Result<()> {
        self.versioned_update(
            "webhooks",
            HOOK_COLS,
            hook_vals(w),
            w.id.clone(),
            expected,
            a,
        )
        .await
    }

    pub(crate) async fn get_webhook_impl(&self, id: &str) -> Result<Option<Webhook>> {
        let s = select_where(HOOK_COLS, "webhooks", "id", id, "");
        self.fetch(s).await?.first().map(hook).transpose()
    }

    pub(crate) async fn webhooks_impl(&self) -> Result<Vec<Webhook>> {
        let s = Sql::new(&format!(
            "SELECT {} FROM webhooks ORDER BY created_at, id",
            HOOK_COLS.join(", ")
        ));
        self.fetch(s).await?.iter().map(hook).collect()
    }

    pub(crate) async fn due_deliveries_impl(
        &self,
        now: Timestamp,
        limit: i64,
    ) -> Result<Vec<Delivery>> {
        let mut s = select_where(
            OUTBOX_COLS,
            "webhook_outbox",
            "status",
            "pending",
            " AND next_at <= ",
        );
        s.bind(us(now))
            .push(" ORDER BY next_at, id LIMIT ")
            .bind(limit);
        self.fetch(s).await?.iter().map(delivery).collect()
    }

    pub(crate) async fn deliveries_of_impl(&self, hook: &str, limit: i64) -> Result<Vec<Delivery>> {
        let mut s = select_where(
            OUTBOX_COLS,
            "webhook_outbox",
            "webhook_id",
            hook,
            " ORDER BY created_at DESC, id DESC LIMIT ",
        );
        s.bind(limit);
        self.fetch(s).await?.iter().map(delivery).collect()
    }

    pub(crate) async fn claim_delivery_impl(
        &self,
        id: &str,
        seen: Timestamp,
        until: Timestamp,
    ) -> Result<bool> {
        let mut s = Sql::new("UPDATE webhook_outbox SET next_at = ");
        s.bind(us(until))
            .push(" WHERE id = ")
            .bind(id)
            .push(" AND status = 'pending' AND next_at = ")
            .bind(us(seen));
        let r = s.query().execute(&self.write).await.map_err(db_err)?;
        Ok(r.rows_affected() == 1)
    }

    pub(crate) async fn finish_delivery_impl(&self, d: &Delivery) -> Result<()> {
        let mut s = Sql::new("UPDATE webhook_outbox SET status = ");
        s.bind(d.status.clone())
            .push(", attempts = ")
            .bind(d.attempts)
            .push(", next_at = ")
            .bind(us(d.next_at))
            .push(", last_error = ")
            .bind(d.last_error.clone())
            .push(", sent_at = ")
            .bind(d.sent_at.map(us))
            .push(" WHERE id = ")
            .bind(d.id.clone());
        let r = s.query().execute(&self.write).await.map_err(db_err)?;
        if r.rows_affected() == 0 {
            return Err(hikeshi_core::Error::NotFound);
        }
        Ok(())
    }
}
