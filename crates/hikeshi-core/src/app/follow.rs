//! Observables follow reports into incidents: linking a report (by hand, at incident
//! creation, or by a triage rule at intake) and merging incidents carry the observables
//! along in the same transaction; observables added to a linked report later are added to
//! its incidents too. So "seen before" names the incident, and the incident's list shows
//! what its reports hold.

use super::App;
use crate::error::Result;
use crate::observables::{Kind, NewObservable};

impl App {
    /// A record's observables as links for another record: same values, TLP, IOC flag,
    /// tags and sightings, first seen when the record first saw them.
    pub(crate) async fn carried_observables(&self, record_id: &str) -> Result<Vec<NewObservable>> {
        Ok(self
            .store
            .observables_of(record_id)
            .await?
            .into_iter()
            .filter_map(|o| {
                Some(NewObservable {
                    kind: Kind::parse(&o.kind)?,
                    value: o.value,
                    prefix: o.prefix,
                    common: o.warning_listed,
                    tlp: o.tlp,
                    ioc: o.ioc,
                    tags: o.tags,
                    seen_at: o.first_seen,
                    sightings: o.sightings.max(1),
                })
            })
            .collect())
    }
}
