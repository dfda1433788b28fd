//! Observables follow reports into incidents: a report linked to an incident (by a handler
//! or a triage rule) and an incident merged into another bring their observables along, in
//! the same transaction as the link or merge, so "seen before" names the incident and the
//! incident's observables list shows them.

use crate::connect::SqlStore;
use hikeshi_core::Result;
use hikeshi_core::ids::{IncidentId, ReportId};
use hikeshi_core::model::{AuditEntry, Incident, TargetKind};
use hikeshi_core::observables::{NewObservable, RecordRef};
use sqlx::{Any, Transaction};

/// Links `obs` to the incident inside the caller's transaction (nothing when empty).
pub(crate) async fn add_to_incident(
    tx: &mut Transaction<'static, Any>,
    backend: crate::Backend,
    incident: IncidentId,
    obs: &[NewObservable],
) -> Result<()> {
    if obs.is_empty() {
        return Ok(());
    }
    let rec = RecordRef {
        kind: TargetKind::Incident,
        id: incident.to_string(),
    };
    crate::observables::add_tx(tx, backend, &[(rec, obs.to_vec())]).await
}

impl SqlStore {
    pub(crate) async fn link_report_observed_fwd(
        &self,
        report: ReportId,
        incident: IncidentId,
        obs: &[NewObservable],
        audit: &AuditEntry,
    ) -> Result<()> {
        self.link_report_observed_impl(report, incident, audit, obs)
            .await
    }

    pub(crate) async fn merge_incidents_observed_fwd(
        &self,
        survivor: &Incident,
        sv: i64,
        merged: &Incident,
        mv: i64,
        audit: &[AuditEntry],
        obs: &[NewObservable],
    ) -> Result<()> {
        self.merge_observed_impl(survivor, sv, merged, mv, audit, obs)
            .await
    }
}
