//! `/`: my open incidents, the triage queue, due and overdue work, counts.

use super::ctx::{Ctx, Ui};
use super::errors::{OrPage, Out, ok};
use super::view::{IncidentRow, Names, ReportRow};
use askama::Template;
use hikeshi_core::lifecycle::incident_is_active;
use hikeshi_core::model::{IncidentStatus, Severity};
use hikeshi_core::ports::ListQuery;

/// How many active incidents the counts and the due list look at.
const SCAN: i64 = 500;

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
    let all = ListQuery {
        status: active(),
        limit: SCAN,
        ..Default::default()
    };
    let all = ui.app.list_incidents(&ui.actor, &all).await.or_page(&ui)?;
    let mut due: Vec<_> = all.items.iter().filter(|i| i.due_at.is_some()).collect();
    due.sort_by_key(|i| i.due_at);
    let mut due_rows = Vec::new();
    for i in due.into_iter().take(20) {
        due_rows.push(IncidentRow::build(&ui, &mut names, i).await);
    }
    let by_severity = Severity::ALL
        .iter()
        .rev()
        .map(|s| {
            let value = all.items.iter().filter(|i| i.severity == *s).count();
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
            value: all.items.iter().filter(|i| i.status == *s).count(),
            href: format!("/incidents?status={s}"),
            class: "",
        })
        .collect();
    ok(&HomePage {
        mine: IncidentRow::all(&ui, &mut names, &mine.items).await,
        triage: ReportRow::all(&ui, &mut names, &triage.items).await,
        due: due_rows,
        by_severity,
        by_status,
        capped: all.next.is_some(),
        ctx: ui.ctx,
    })
}
