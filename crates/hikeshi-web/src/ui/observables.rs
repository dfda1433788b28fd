//! The "observables — seen before" card on report and incident pages: each observable with
//! the other visible records that share its value or network (read-only; changes go
//! through the API). Access is the use case's: the same rules as the record itself.

use super::ctx::Ui;

/// One row of the card, already in words.
pub struct ObsRow {
    pub kind: String,
    pub value: String,
    pub ioc: bool,
    /// "common" reason, or empty.
    pub common: String,
    pub same_count: usize,
    pub network: String,
    pub network_count: usize,
    /// (reference, link) of the first related records.
    pub related: Vec<(String, String)>,
    /// The owning constituency's name, or empty.
    pub owner: String,
}

/// The rows for a record (`reports` or `incidents`); empty when they cannot be read.
pub async fn rows(ui: &Ui, kind: &str, id: &str) -> Vec<ObsRow> {
    let Ok(views) = ui.app.observables_seen(&ui.actor, kind, id).await else {
        return vec![];
    };
    views
        .into_iter()
        .map(|v| {
            let mut related: Vec<(String, String)> = Vec::new();
            let net = v.seen.same_network.as_ref();
            for r in v
                .seen
                .same_value
                .records
                .iter()
                .chain(net.map(|n| n.related.records.iter()).into_iter().flatten())
            {
                if related.iter().any(|(x, _)| *x == r.reference) || related.len() >= 5 {
                    continue;
                }
                related.push((r.reference.clone(), format!("/{}s/{}", r.kind, r.reference)));
            }
            ObsRow {
                kind: v.observable.kind.clone(),
                value: v.observable.value.clone(),
                ioc: v.observable.ioc,
                common: v.seen.common_reason.clone().unwrap_or_default(),
                same_count: v.seen.same_value.count,
                network: net.map(|n| n.network.clone()).unwrap_or_default(),
                network_count: net.map(|n| n.related.count).unwrap_or(0),
                related,
                owner: v.owner.map(|o| o.name).unwrap_or_default(),
            }
        })
        .collect()
}
