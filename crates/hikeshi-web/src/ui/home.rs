//! `/`: my open incidents, the triage queue, due and overdue work, counts.

use super::ctx::{Ctx, Ui};
use super::errors::{OrPage, Out, ok};
use super::view::{IncidentRow, Names, ReportRow};
use askama::Template;
use hikeshi_core::lifecycle::incident_is_active;
use hikeshi_core::model::{IncidentStatus, Severity};
use hikeshi_core::ports::ListQuery;

pub struct Count {
    pub label: &'static str,
    pub value: usize,
    pub href: String,
    pub class: &'static str,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub ctx: Ctx,
    pub mine: Vec<IncidentRow>,
    pub triage: Vec<ReportRow>,
    pub due: Vec<IncidentRow>,
    pub by_severity: Vec<Count>,
    pub by_status: Vec<Count>,
    pub saved: Vec<hikeshi_core::model::SavedSearch>,
    /// The counts stopped at `COUNT_CAP`.
    pub capped: bool,
}

fn active() -> Vec<String> {
    IncidentStatus::ALL
        .iter()
        .filter(|s| incident_is_active(**s))
        .map(|s| s.to_string())
        .collect()
}

pub async fn home(ui: Ui) -> Out {
    let mut names = Names::load(&ui).await;
    let mine = ListQuery {
        status: active(),
        owner: Some(Some(ui.actor.user)),
        limit: 20,
        ..Default::default()
    };
    let mine = ui.app.list_incidents(&ui.actor, &mine).await.or_page(&ui)?;
    let triage = ListQuery {
        status: vec!["new".into()],
        owner: Some(None),
        limit: 20,
        ..Default::default()
    };
    let triage = ui.app.list_reports(&ui.actor, &triage).await.or_page(&ui)?;
    // Counts and "due next" are queries of their own: exact at any size.
    let counts = ui.app.incident_counts(&ui.actor).await.or_page(&ui)?;
    let capped = counts.iter().map(|(_, _, n)| n).sum::<i64>() >= hikeshi_core::app::COUNT_CAP;
    let count = |f: &dyn Fn(IncidentStatus, Severity) -> bool| -> usize {
        counts
            .iter()
            .filter(|(st, sev, _)| incident_is_active(*st) && f(*st, *sev))
            .map(|(_, _, n)| *n as usize)
            .sum()
    };
    let due = ui.app.due_incidents(&ui.actor, 20).await.or_page(&ui)?;
    let due_rows = IncidentRow::all(&ui, &mut names, &due).await;
    let by_severity = Severity::ALL
        .iter()
        .rev()
        .map(|s| {
            let value = count(&|_, sev| sev == *s);
            Count {
                label: ui.ctx.t(&format!("severity.{s}")),
                value,
                href: format!("/incidents?severity={s}"),
                class: if value > 0 {
                    super::view::sev_class(*s)
                } else {
                    ""
                },
            }
        })
        .collect();
    let by_status = IncidentStatus::ALL
        .iter()
        .filter(|s| incident_is_active(**s))
        .map(|s| Count {
            label: ui.ctx.t(&format!("status.{s}")),
            value: count(&|st, _| st == *s),
            href: format!("/incidents?status={s}"),
            class: "",
        })
        .collect();
    let saved = ui.app.saved_searches(&ui.actor).await.or_page(&ui)?;
    ok(&HomePage {
        mine: IncidentRow::all(&ui, &mut names, &mine.items).await,
        triage: ReportRow::all(&ui, &mut names, &triage.items).await,
        due: due_rows,
        by_severity,
        by_status,
        saved,
        capped,
        ctx: ui.ctx,
    })
}
