//! Report rows: insert with a per-year reference `RYYYY-NNNN`, update, links to incidents.

use crate::audit::{update_row, write};
use crate::codec::{self, REPORT_COLS};
use crate::connect::{SqlStore, db_err};
use crate::incidents::{allocate_ref, with_ref};
use crate::search::{Kind, list_sql, new_doc, position, put_doc};
use crate::sql::{Sql, insert};
use hikeshi_core::Result;
use hikeshi_core::access::Visibility;
use hikeshi_core::ids::{IncidentId, ReportId};
use hikeshi_core::model::{AuditEntry, Report};
use hikeshi_core::ports::{ListQuery, Page};
use sqlx::{Any, Row, Transaction};
use std::collections::HashMap;

pub(crate) fn doc(r: &Report) -> String {
    format!(
        "{}\n{}\n{}\n{}\n{}",
        r.reference,
        r.subject,
        r.content,
        r.reporter,
        r.tags.join(" ")
    )
}

/// Inserts a report with its new reference and search document (inside the caller's
/// transaction); returns the stored record.
pub(crate) async fn insert_report_tx(
    tx: &mut Transaction<'static, Any>,
    backend: crate::Backend,
    r: &Report,
) -> Result<Report> {
    let mut stored = r.clone();
    stored.reference = allocate_ref(tx, "report", "R", r.created_at).await?;
    insert("reports", REPORT_COLS, codec::report_vals(&stored))
        .query()
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    new_doc(
        tx,
        backend,
        Kind::Report,
        &stored.id.to_string(),
        &doc(&stored),
    )
    .await?;
    Ok(stored)
}

fn select(where_: &str) -> Sql {
    Sql::new(&format!(
        "SELECT {} FROM reports WHERE {where_}",
        REPORT_COLS.join(", ")
    ))
}

impl SqlStore {
    /// Fills in each report's incident links with one query.
    async fn with_links(&self, mut reports: Vec<Report>) -> Result<Vec<Report>> {
        if reports.is_empty() {
            return Ok(reports);
        }
        let rows =
            Sql::new("SELECT report_id, incident_id FROM report_incidents WHERE report_id IN ")
                .bind_list(reports.iter().map(|r| r.id.to_string()))
                .query()
                .fetch_all(&self.read)
                .await
                .map_err(db_err)?;
        let mut links: HashMap<String, Vec<IncidentId>> = HashMap::new();
        for row in rows {
            let r: String = row.try_get("report_id").map_err(db_err)?;
            let i: String = row.try_get("incident_id").map_err(db_err)?;
            if let Some(id) = IncidentId::parse(&i) {
                links.entry(r).or_default().push(id);
            }
        }
        for r in &mut reports {
            r.incidents = links.remove(&r.id.to_string()).unwrap_or_default();
        }
        Ok(reports)
    }

    pub(crate) async fn insert_report_impl(
        &self,
        r: &Report,
        audit: &AuditEntry,
    ) -> Result<Report> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        let stored = insert_report_tx(&mut tx, self.backend, r).await?;
        write(&mut tx, &with_ref(audit, &stored.reference)).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(stored)
    }

    pub(crate) async fn update_report_impl(
        &self,
        r: &Report,
        expected: i64,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        update_row(
            &mut tx,
            "reports",
            REPORT_COLS,
            codec::report_vals(r),
            r.id.to_string(),
            expected,
        )
        .await?;
        put_doc(
            &mut tx,
            self.backend,
            Kind::Report,
            &r.id.to_string(),
            &doc(r),
        )
        .await?;
        write(&mut tx, audit).await?;
        tx.commit().await.map_err(db_err)
    }

    async fn one_report(&self, s: Sql) -> Result<Option<Report>> {
        let row = s.query().fetch_optional(&self.read).await.map_err(db_err)?;
        match row {
            Some(row) => Ok(self.with_links(vec![codec::report(&row)?]).await?.pop()),
            None => Ok(None),
        }
    }

    pub(crate) async fn get_report_impl(&self, id: ReportId) -> Result<Option<Report>> {
        let mut s = select("id = ");
        s.bind(id.to_string());
        self.one_report(s).await
    }

    pub(crate) async fn report_by_ref_impl(&self, r: &str) -> Result<Option<Report>> {
        let mut s = select("ref = ");
        s.bind(r);
        self.one_report(s).await
    }

    pub(crate) async fn list_reports_impl(
        &self,
        vis: &Visibility,
        q: &ListQuery,
    ) -> Result<Page<Report>> {
        let l = list_sql(self.backend, Kind::Report, vis, q);
        let rows = l.sql.query().fetch_all(&self.read).await.map_err(db_err)?;
        let mut items = rows.iter().map(codec::report).collect::<Result<Vec<_>>>()?;
        let limit = q.limit.clamp(1, 500) as usize;
        let next = if items.len() > limit {
            items.truncate(limit);
            let last = items.last().map(|r| r.id.to_string()).unwrap_or_default();
            Some(position(&rows[limit - 1], l.fts_order, q.sort, last)?)
        } else {
            None
        };
        Ok(Page {
            items: self.with_links(items).await?,
            next,
        })
    }

    pub(crate) async fn link_report_impl(
        &self,
        report: ReportId,
        incident: IncidentId,
        audit: &AuditEntry,
    ) -> Result<()> {
        self.link_report_observed_impl(report, incident, audit, &[])
            .await
    }

    /// A link that also adds `obs` (the report's observables) to the incident.
    pub(crate) async fn link_report_observed_impl(
        &self,
        report: ReportId,
        incident: IncidentId,
        audit: &AuditEntry,
        obs: &[hikeshi_core::observables::NewObservable],
    ) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        Sql::new("INSERT INTO report_incidents (report_id, incident_id) VALUES (")
            .bind(report.to_string())
            .push(", ")
            .bind(incident.to_string())
            .push(") ON CONFLICT DO NOTHING")
            .query()
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        // Linking triages the report: a new one becomes open.
        Sql::new("UPDATE reports SET status = 'open', version = version + 1, updated_at = ")
            .bind(audit.at.as_microsecond())
            .push(" WHERE id = ")
            .bind(report.to_string())
            .push(" AND status = 'new'")
            .query()
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        crate::intake_links::add_to_incident(&mut tx, self.backend, incident, obs).await?;
        write(&mut tx, audit).await?;
        tx.commit().await.map_err(db_err)
    }

    pub(crate) async fn reports_of_incident_impl(
        &self,
        incident: IncidentId,
    ) -> Result<Vec<Report>> {
        let mut s = select("id IN (SELECT report_id FROM report_incidents WHERE incident_id = ");
        s.bind(incident.to_string()).push(") ORDER BY created_at");
        let rows = s.query().fetch_all(&self.read).await.map_err(db_err)?;
        let items = rows.iter().map(codec::report).collect::<Result<Vec<_>>>()?;
        self.with_links(items).await
    }
}
