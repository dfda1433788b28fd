//! Other intake channels: structured report details, alert deduplication series, and the
//! public form's rejected submissions.

use crate::audit::write;
use crate::codec::{R, to_json, us};
use crate::connect::{SqlStore, db_err};
use crate::incidents::with_ref;
use crate::sql::{Sql, Val, insert};
use hikeshi_core::model::*;
use hikeshi_core::triage::TriageWrite;
use hikeshi_core::{Error, Result};
use jiff::Timestamp;
use sqlx::{Any, Row, Transaction};

pub(crate) async fn put_details(
    tx: &mut Transaction<'static, Any>,
    report_id: &str,
    d: &StructuredDetails,
) -> Result<()> {
    let vals: Vec<Val> = vec![
        report_id.into(),
        d.format.clone().into(),
        to_json(&d.observables).into(),
        to_json(&d.details).into(),
    ];
    insert(
        "report_details",
        &["report_id", "format", "observables", "details"],
        vals,
    )
    .query()
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// The report row (without its incident links) inside a transaction.
async fn report_tx(tx: &mut Transaction<'static, Any>, id: &str) -> Result<Option<Report>> {
    let row = Sql::new(&format!(
        "SELECT {} FROM reports WHERE id = ",
        crate::codec::REPORT_COLS.join(", ")
    ))
    .bind(id)
    .query()
    .fetch_optional(&mut **tx)
    .await
    .map_err(db_err)?;
    row.as_ref().map(crate::codec::report).transpose()
}

fn series_of(row: &sqlx::any::AnyRow) -> Result<AlertSeries> {
    let r = R(row);
    Ok(AlertSeries {
        source: r.s("source")?,
        dedup_key: r.s("dedup_key")?,
        count: r.i("count")?,
        first_seen: r.t("first_seen")?,
        last_seen: r.t("last_seen")?,
    })
}

impl SqlStore {
    pub(crate) async fn record_alert_impl(
        &self,
        draft: &Report,
        t: &TriageWrite,
        series: &AlertSeries,
        opened_after: Timestamp,
        create: &AuditEntry,
        repeat: &AuditEntry,
    ) -> Result<(Report, AlertSeries, bool)> {
        let now = us(series.last_seen);
        let mut tx = self.write.begin().await.map_err(db_err)?;
        // Claims the open series of this key: the row lock serialises concurrent posts of one
        // key; a series opened before the window is replaced by the draft.
        let row =
            Sql::new("INSERT INTO alert_open (source, dedup_key, report_id, opened_at) VALUES (")
                .bind(series.source.clone())
                .push(", ")
                .bind(series.dedup_key.clone())
                .push(", ")
                .bind(draft.id.to_string())
                .push(", ")
                .bind(now)
                .push(
                    ") ON CONFLICT (source, dedup_key) DO UPDATE SET \
             report_id = CASE WHEN alert_open.opened_at > ",
                )
                .bind(us(opened_after))
                .push(
                    " THEN alert_open.report_id ELSE excluded.report_id END, \
             opened_at = CASE WHEN alert_open.opened_at > ",
                )
                .bind(us(opened_after))
                .push(" THEN alert_open.opened_at ELSE excluded.opened_at END RETURNING report_id")
                .query()
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
        let report_id: String = row.try_get("report_id").map_err(db_err)?;
        if report_id == draft.id.to_string() {
            // A new series: the report with its triage outcome, clocks, observables and
            // structured details, as every new report.
            let stored = crate::triage::write_report_triaged_tx(
                &mut tx,
                self.backend,
                draft,
                None,
                t,
                create,
            )
            .await?;
            insert(
                "alert_series",
                &[
                    "report_id",
                    "source",
                    "dedup_key",
                    "count",
                    "first_seen",
                    "last_seen",
                ],
                vec![
                    report_id.clone().into(),
                    series.source.clone().into(),
                    series.dedup_key.clone().into(),
                    1i64.into(),
                    now.into(),
                    now.into(),
                ],
            )
            .query()
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            tx.commit().await.map_err(db_err)?;
            return Ok((stored, series.clone(), true));
        }
        let row = Sql::new(
            "UPDATE alert_series SET count = count + 1, last_seen = CASE WHEN last_seen > ",
        )
        .bind(now)
        .push(" THEN last_seen ELSE ")
        .bind(now)
        .push(" END WHERE report_id = ")
        .bind(report_id.clone())
        .push(" RETURNING source, dedup_key, count, first_seen, last_seen")
        .query()
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?
        .ok_or_else(|| Error::Internal(format!("alert series of {report_id} is missing")))?;
        let s = series_of(&row)?;
        let stored = report_tx(&mut tx, &report_id)
            .await?
            .ok_or_else(|| Error::Internal(format!("alert report {report_id} is missing")))?;
        let mut a = repeat.clone();
        a.target_id = report_id;
        if let Some(o) = a.after.as_mut().and_then(|v| v.as_object_mut()) {
            o.insert("count".into(), s.count.into());
        }
        write(&mut tx, &with_ref(&a, &stored.reference)).await?;
        tx.commit().await.map_err(db_err)?;
        Ok((stored, s, false))
    }

    pub(crate) async fn structured_details_impl(
        &self,
        ids: &[String],
    ) -> Result<Vec<(String, StructuredDetails, Option<AlertSeries>)>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let rows = Sql::new(
            "SELECT d.report_id, d.format, d.observables, d.details, s.source, s.dedup_key, \
             s.count, s.first_seen, s.last_seen FROM report_details d \
             LEFT JOIN alert_series s ON s.report_id = d.report_id WHERE d.report_id IN ",
        )
        .bind_list(ids.iter().cloned())
        .query()
        .fetch_all(&self.read)
        .await
        .map_err(db_err)?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let r = R(&row);
            let details = StructuredDetails {
                format: r.s("format")?,
                observables: r.json("observables")?,
                details: r.json("details")?,
            };
            let series = match r.os("source")? {
                Some(_) => Some(series_of(&row)?),
                None => None,
            };
            out.push((r.s("report_id")?, details, series));
        }
        Ok(out)
    }

    pub(crate) async fn insert_form_rejection_impl(&self, f: &FormRejection) -> Result<()> {
        insert(
            "form_rejections",
            &["id", "at", "reason", "client", "data"],
            vec![
                f.id.clone().into(),
                us(f.at).into(),
                f.reason.clone().into(),
                f.client.clone().into(),
                to_json(&f.data).into(),
            ],
        )
        .query()
        .execute(&self.write)
        .await
        .map_err(db_err)?;
        Ok(())
    }
}
