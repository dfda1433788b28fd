//! Investigations, countermeasures, comments/correspondence and attachments (content-
//! addressed blobs: the same bytes are stored once, keyed by SHA-256).

use crate::audit::{update_row, write};
use crate::codec::{R, target_kind, to_json, us};
use crate::connect::{SqlStore, db_err};
use crate::sql::{Sql, Val, insert};
use hikeshi_core::Result;
use hikeshi_core::ids::*;
use hikeshi_core::model::*;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

pub(crate) const INV_COLS: &[&str] = &[
    "id",
    "incident_id",
    "title",
    "correspondents",
    "status",
    "created_by",
    "created_at",
    "updated_at",
    "version",
];
pub(crate) const CM_COLS: &[&str] = &[
    "id",
    "incident_id",
    "kind",
    "what",
    "location",
    "status",
    "created_by",
    "created_at",
    "updated_at",
    "version",
];
const ENTRY_COLS: &[&str] = &[
    "id",
    "target_kind",
    "target_id",
    "kind",
    "direction",
    "author_id",
    "from_addr",
    "to_addrs",
    "subject",
    "body",
    "created_at",
];
const ATT_COLS: &[&str] = &[
    "id",
    "target_kind",
    "target_id",
    "name",
    "content_type",
    "sha256",
    "size",
    "created_by",
    "created_at",
];

fn inv_vals(v: &Investigation) -> Vec<Val> {
    vec![
        v.id.to_string().into(),
        v.incident.to_string().into(),
        v.title.clone().into(),
        to_json(&v.correspondents).into(),
        v.status.as_str().into(),
        v.created_by.to_string().into(),
        us(v.created_at).into(),
        us(v.updated_at).into(),
        v.version.into(),
    ]
}

pub(crate) fn inv(row: &AnyRow) -> Result<Investigation> {
    let r = R(row);
    Ok(Investigation {
        id: r.id("id", InvestigationId::parse)?,
        incident: r.id("incident_id", IncidentId::parse)?,
        title: r.s("title")?,
        correspondents: r.json("correspondents")?,
        status: r.e("status", InvestigationStatus::parse_field)?,
        created_by: r.id("created_by", UserId::parse)?,
        created_at: r.t("created_at")?,
        updated_at: r.t("updated_at")?,
        version: r.i("version")?,
    })
}

fn cm_vals(c: &Countermeasure) -> Vec<Val> {
    vec![
        c.id.to_string().into(),
        c.incident.to_string().into(),
        c.kind.as_str().into(),
        c.what.clone().into(),
        c.location.clone().into(),
        c.status.as_str().into(),
        c.created_by.to_string().into(),
        us(c.created_at).into(),
        us(c.updated_at).into(),
        c.version.into(),
    ]
}

pub(crate) fn cm(row: &AnyRow) -> Result<Countermeasure> {
    let r = R(row);
    Ok(Countermeasure {
        id: r.id("id", CountermeasureId::parse)?,
        incident: r.id("incident_id", IncidentId::parse)?,
        kind: r.e("kind", CountermeasureKind::parse_field)?,
        what: r.s("what")?,
        location: r.s("location")?,
        status: r.e("status", CountermeasureStatus::parse_field)?,
        created_by: r.id("created_by", UserId::parse)?,
        created_at: r.t("created_at")?,
        updated_at: r.t("updated_at")?,
        version: r.i("version")?,
    })
}

fn entry(row: &AnyRow) -> Result<Entry> {
    let r = R(row);
    Ok(Entry {
        id: r.id("id", EntryId::parse)?,
        target_kind: r.e("target_kind", target_kind)?,
        target_id: r.s("target_id")?,
        kind: r.s("kind")?,
        direction: match r.os("direction")? {
            Some(d) => Some(Direction::parse_field(&d, "direction")?),
            None => None,
        },
        author: r.oid("author_id", UserId::parse)?,
        from: r.os("from_addr")?,
        to: r.json("to_addrs")?,
        subject: r.os("subject")?,
        body: r.s("body")?,
        created_at: r.t("created_at")?,
    })
}

fn attachment(row: &AnyRow) -> Result<Attachment> {
    let r = R(row);
    Ok(Attachment {
        id: r.id("id", AttachmentId::parse)?,
        target_kind: r.e("target_kind", target_kind)?,
        target_id: r.s("target_id")?,
        name: r.s("name")?,
        content_type: r.s("content_type")?,
        sha256: r.s("sha256")?,
        size: r.i("size")?,
        created_by: r.id("created_by", UserId::parse)?,
        created_at: r.t("created_at")?,
    })
}

impl SqlStore {
    async fn insert_with_audit(&self, s: Sql, audit: &AuditEntry) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        s.query().execute(&mut *tx).await.map_err(db_err)?;
        write(&mut tx, audit).await?;
        tx.commit().await.map_err(db_err)
    }

    /// A versioned update of one row and its audit entry, in one transaction.
    async fn update_with_audit(
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

    async fn rows(&self, s: Sql) -> Result<Vec<AnyRow>> {
        s.query().fetch_all(&self.read).await.map_err(db_err)
    }

    pub(crate) async fn insert_investigation_impl(
        &self,
        v: &Investigation,
        audit: &AuditEntry,
    ) -> Result<()> {
        self.insert_with_audit(insert("investigations", INV_COLS, inv_vals(v)), audit)
            .await
    }

    pub(crate) async fn update_investigation_impl(
        &self,
        v: &Investigation,
        expected: i64,
        audit: &AuditEntry,
    ) -> Result<()> {
        self.update_with_audit(
            "investigations",
            INV_COLS,
            inv_vals(v),
            v.id.to_string(),
            expected,
            audit,
        )
        .await
    }

    pub(crate) async fn get_investigation_impl(
        &self,
        id: InvestigationId,
    ) -> Result<Option<Investigation>> {
        let mut s = Sql::new(&format!(
            "SELECT {} FROM investigations WHERE id = ",
            INV_COLS.join(", ")
        ));
        s.bind(id.to_string());
        self.rows(s).await?.first().map(inv).transpose()
    }

    pub(crate) async fn investigations_of_impl(
        &self,
        incident: IncidentId,
    ) -> Result<Vec<Investigation>> {
        let mut s = Sql::new(&format!(
            "SELECT {} FROM investigations WHERE incident_id = ",
            INV_COLS.join(", ")
        ));
        s.bind(incident.to_string())
            .push(" ORDER BY created_at, id");
        self.rows(s).await?.iter().map(inv).collect()
    }

    pub(crate) async fn insert_countermeasure_impl(
        &self,
        c: &Countermeasure,
        audit: &AuditEntry,
    ) -> Result<()> {
        self.insert_with_audit(insert("countermeasures", CM_COLS, cm_vals(c)), audit)
            .await
    }

    pub(crate) async fn update_countermeasure_impl(
        &self,
        c: &Countermeasure,
        expected: i64,
        audit: &AuditEntry,
    ) -> Result<()> {
        self.update_with_audit(
            "countermeasures",
            CM_COLS,
            cm_vals(c),
            c.id.to_string(),
            expected,
            audit,
        )
        .await
    }

    pub(crate) async fn get_countermeasure_impl(
        &self,
        id: CountermeasureId,
    ) -> Result<Option<Countermeasure>> {
        let mut s = Sql::new(&format!(
            "SELECT {} FROM countermeasures WHERE id = ",
            CM_COLS.join(", ")
        ));
        s.bind(id.to_string());
        self.rows(s).await?.first().map(cm).transpose()
    }

    pub(crate) async fn countermeasures_of_impl(
        &self,
        incident: IncidentId,
    ) -> Result<Vec<Countermeasure>> {
        let mut s = Sql::new(&format!(
            "SELECT {} FROM countermeasures WHERE incident_id = ",
            CM_COLS.join(", ")
        ));
        s.bind(incident.to_string())
            .push(" ORDER BY created_at, id");
        self.rows(s).await?.iter().map(cm).collect()
    }

    pub(crate) async fn insert_entry_impl(&self, e: &Entry, audit: &AuditEntry) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        insert_entry_tx(&mut tx, e).await?;
        write(&mut tx, audit).await?;
        tx.commit().await.map_err(db_err)
    }
}

pub(crate) async fn insert_entry_tx(tx: &mut Transaction<'static, Any>, e: &Entry) -> Result<()> {
    let vals: Vec<Val> = vec![
        e.id.to_string().into(),
        e.target_kind.as_str().into(),
        e.target_id.clone().into(),
        e.kind.clone().into(),
        e.direction.map(|d| d.as_str().to_string()).into(),
        e.author.map(|a| a.to_string()).into(),
        e.from.clone().into(),
        to_json(&e.to).into(),
        e.subject.clone().into(),
        e.body.clone().into(),
        us(e.created_at).into(),
    ];
    insert("entries", ENTRY_COLS, vals)
        .query()
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// Stores the bytes once per SHA-256, and the attachment record.
pub(crate) async fn insert_attachment_tx(
    tx: &mut Transaction<'static, Any>,
    a: &Attachment,
    bytes: &[u8],
) -> Result<()> {
    Sql::new("INSERT INTO blobs (sha256, size, data) VALUES (")
        .bind(a.sha256.clone())
        .push(", ")
        .bind(a.size)
        .push(", ")
        .bind(bytes.to_vec())
        .push(") ON CONFLICT (sha256) DO NOTHING")
        .query()
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    let vals: Vec<Val> = vec![
        a.id.to_string().into(),
        a.target_kind.as_str().into(),
        a.target_id.clone().into(),
        a.name.clone().into(),
        a.content_type.clone().into(),
        a.sha256.clone().into(),
        a.size.into(),
        a.created_by.to_string().into(),
        us(a.created_at).into(),
    ];
    insert("attachments", ATT_COLS, vals)
        .query()
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(())
}

impl SqlStore {
    pub(crate) async fn entries_of_impl(&self, target: &str) -> Result<Vec<Entry>> {
        let mut s = Sql::new(&format!(
            "SELECT {} FROM entries WHERE target_id = ",
            ENTRY_COLS.join(", ")
        ));
        s.bind(target).push(" ORDER BY created_at, id");
        self.rows(s).await?.iter().map(entry).collect()
    }

    pub(crate) async fn insert_attachment_impl(
        &self,
        a: &Attachment,
        bytes: &[u8],
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        insert_attachment_tx(&mut tx, a, bytes).await?;
        write(&mut tx, audit).await?;
        tx.commit().await.map_err(db_err)
    }

    pub(crate) async fn get_attachment_impl(&self, id: AttachmentId) -> Result<Option<Attachment>> {
        let mut s = Sql::new(&format!(
            "SELECT {} FROM attachments WHERE id = ",
            ATT_COLS.join(", ")
        ));
        s.bind(id.to_string());
        self.rows(s).await?.first().map(attachment).transpose()
    }

    pub(crate) async fn attachments_of_many_impl(
        &self,
        targets: &[String],
    ) -> Result<Vec<Attachment>> {
        let mut s = Sql::new(&format!(
            "SELECT {} FROM attachments WHERE target_id IN ",
            ATT_COLS.join(", ")
        ));
        s.bind_list(targets.iter().cloned())
            .push(" ORDER BY created_at, id");
        self.rows(s).await?.iter().map(attachment).collect()
    }

    pub(crate) async fn attachments_of_impl(&self, target: &str) -> Result<Vec<Attachment>> {
        let mut s = Sql::new(&format!(
            "SELECT {} FROM attachments WHERE target_id = ",
            ATT_COLS.join(", ")
        ));
        s.bind(target).push(" ORDER BY created_at, id");
        self.rows(s).await?.iter().map(attachment).collect()
    }

    pub(crate) async fn blob_impl(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        let row = Sql::new("SELECT data FROM blobs WHERE sha256 = ")
            .bind(sha256)
            .query()
            .fetch_optional(&self.read)
            .await
            .map_err(db_err)?;
        match row {
            Some(r) => Ok(Some(r.try_get::<Vec<u8>, _>("data").map_err(db_err)?)),
            None => Ok(None),
        }
    }
}
