//! Raw inbound messages (stored before parsing), the mail facts of reports and entries, and
//! constituency look-up by domain.

use crate::audit::write;
use crate::codec::{R, to_json, us};
use crate::connect::{SqlStore, db_err};
use crate::sql::{Sql, Val, insert};
use hikeshi_core::Result;
use hikeshi_core::ids::ConstituencyId;
use hikeshi_core::model::*;
use sqlx::{Any, Row, Transaction};

const META_COLS: &[&str] = &[
    "record_id",
    "raw_id",
    "message_id",
    "from_addr",
    "to_addrs",
    "auto_generated",
    "auto_reason",
    "signature",
    "language",
    "malformed",
    "headers",
];

pub(crate) async fn put_meta(
    tx: &mut Transaction<'static, Any>,
    record_id: &str,
    m: &MailMeta,
) -> Result<()> {
    let vals: Vec<Val> = vec![
        record_id.into(),
        m.raw_id.clone().into(),
        m.message_id.clone().into(),
        m.from.clone().into(),
        to_json(&m.to).into(),
        i64::from(m.auto_generated).into(),
        m.auto_reason.clone().into(),
        m.signature.clone().into(),
        m.language.clone().into(),
        to_json(&m.malformed).into(),
        to_json(&m.headers).into(),
    ];
    insert("mail_meta", META_COLS, vals)
        .query()
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(())
}

pub(crate) async fn put_files(
    tx: &mut Transaction<'static, Any>,
    files: &[(Attachment, Vec<u8>)],
) -> Result<()> {
    for (a, bytes) in files {
        crate::work::insert_attachment_tx(tx, a, bytes).await?;
    }
    Ok(())
}

/// One raw message, inside the caller's transaction.
pub(crate) async fn insert_raw_tx(
    tx: &mut Transaction<'static, Any>,
    m: &RawMessage,
    bytes: &[u8],
) -> Result<()> {
    let vals: Vec<Val> = vec![
        m.id.clone().into(),
        m.sha256.clone().into(),
        m.size.into(),
        m.channel.clone().into(),
        us(m.received_at).into(),
        "received".into(),
        bytes.to_vec().into(),
    ];
    insert(
        "raw_messages",
        &[
            "id",
            "sha256",
            "size",
            "channel",
            "received_at",
            "status",
            "data",
        ],
        vals,
    )
    .query()
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    Ok(())
}

impl SqlStore {
    pub(crate) async fn insert_raw_impl(&self, m: &RawMessage, bytes: &[u8]) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        insert_raw_tx(&mut tx, m, bytes).await?;
        tx.commit().await.map_err(db_err)
    }

    pub(crate) async fn finish_raw_impl(
        &self,
        id: &str,
        status: &str,
        record: Option<&str>,
        error: Option<&str>,
    ) -> Result<()> {
        Sql::new("UPDATE raw_messages SET status = ")
            .bind(status)
            .push(", record_id = ")
            .bind(record.map(str::to_string))
            .push(", error = ")
            .bind(error.map(str::to_string))
            .push(" WHERE id = ")
            .bind(id)
            .query()
            .execute(&self.write)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    pub(crate) async fn raw_message_impl(&self, id: &str) -> Result<Option<Vec<u8>>> {
        let row = Sql::new("SELECT data FROM raw_messages WHERE id = ")
            .bind(id)
            .query()
            .fetch_optional(&self.read)
            .await
            .map_err(db_err)?;
        row.map(|r| r.try_get::<Vec<u8>, _>("data").map_err(db_err))
            .transpose()
    }

    pub(crate) async fn insert_mail_entry_impl(
        &self,
        e: &Entry,
        m: &MailMeta,
        files: &[(Attachment, Vec<u8>)],
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        crate::work::insert_entry_tx(&mut tx, e).await?;
        put_meta(&mut tx, &e.id.to_string(), m).await?;
        put_files(&mut tx, files).await?;
        write(&mut tx, audit).await?;
        tx.commit().await.map_err(db_err)
    }

    pub(crate) async fn mail_meta_impl(&self, ids: &[String]) -> Result<Vec<(String, MailMeta)>> {
        let mut s = Sql::new(&format!(
            "SELECT {} FROM mail_meta WHERE record_id IN ",
            META_COLS.join(", ")
        ));
        s.bind_list(ids.iter().cloned());
        let rows = s.query().fetch_all(&self.read).await.map_err(db_err)?;
        rows.iter()
            .map(|row| {
                let r = R(row);
                Ok((
                    r.s("record_id")?,
                    MailMeta {
                        raw_id: r.s("raw_id")?,
                        message_id: r.os("message_id")?,
                        from: r.os("from_addr")?,
                        to: r.json("to_addrs")?,
                        auto_generated: r.b("auto_generated")?,
                        auto_reason: r.os("auto_reason")?,
                        signature: r.s("signature")?,
                        language: r.s("language")?,
                        malformed: r.json("malformed")?,
                        headers: r.json("headers")?,
                    },
                ))
            })
            .collect()
    }

    pub(crate) async fn constituency_for_domains_impl(
        &self,
        domains: &[String],
    ) -> Result<Option<ConstituencyId>> {
        if domains.is_empty() {
            return Ok(None);
        }
        let mut s =
            Sql::new("SELECT constituency_id, domain FROM constituency_domains WHERE domain IN ");
        s.bind_list(domains.iter().cloned());
        let rows = s.query().fetch_all(&self.read).await.map_err(db_err)?;
        // The caller's order decides (recipients first, most specific first).
        for d in domains {
            for row in &rows {
                let r = R(row);
                if &r.s("domain")? == d {
                    return Ok(ConstituencyId::parse(&r.s("constituency_id")?));
                }
            }
        }
        Ok(None)
    }
}
