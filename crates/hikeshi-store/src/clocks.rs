//! SLA clocks and deadline clocks. Their warning and breach instants are precomputed by the
//! core, so the sweep is a range scan on the partial index over `next_event_at`.

use crate::audit::{update_row, write};
use crate::codec::{R, to_json, us};
use crate::connect::{SqlStore, db_err};
use crate::sql::{Sql, Val, insert};
use hikeshi_core::Result;
use hikeshi_core::deadlines::DeadlineClock;
use hikeshi_core::ids::{AttachmentId, ConstituencyId, IncidentId, UserId};
use hikeshi_core::model::AuditEntry;
use hikeshi_core::sla::{ClockKind, ClockState, SlaClock};
use hikeshi_core::triage::NotificationRequest;
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};

/// Ids per `UPDATE … WHERE id IN (…)` of the sweep (anonymous placeholders on SQLite).
const IDS_PER_UPDATE: usize = 500;

/// Rows per multi-row INSERT (see `put_clocks_tx`).
pub(crate) const ROWS_PER_INSERT: usize = 8;

const CLOCK_COLS: &[&str] = &[
    "id",
    "target_kind",
    "target_id",
    "constituency_id",
    "kind",
    "priority",
    "calendar",
    "budget_secs",
    "started_at",
    "elapsed_secs",
    "running_since",
    "state",
    "stopped_at",
    "warn_at",
    "breach_at",
    "next_event_at",
    "warned",
    "breached",
    "escalate_to",
];

fn ous(t: Option<Timestamp>) -> Val {
    Val::OI(t.map(us))
}

fn clock_vals(c: &SlaClock) -> Vec<Val> {
    vec![
        c.id.clone().into(),
        c.target_kind.as_str().into(),
        c.target_id.clone().into(),
        c.constituency.map(|x| x.to_string()).into(),
        c.kind.as_str().into(),
        c.priority.into(),
        c.calendar.clone().into(),
        c.budget_secs.into(),
        us(c.started_at).into(),
        c.elapsed_secs.into(),
        ous(c.running_since),
        c.state.as_str().into(),
        ous(c.stopped_at),
        ous(c.warn_at),
        ous(c.breach_at),
        ous(c.next_event_at),
        i64::from(c.warned).into(),
        i64::from(c.breached).into(),
        c.escalate_to.map(|u| u.to_string()).into(),
    ]
}

fn bad(c: &str, v: &str) -> hikeshi_core::Error {
    hikeshi_core::Error::Internal(format!("corrupt value in column {c}: {v:?}"))
}

fn clock(row: &AnyRow) -> Result<SlaClock> {
    let r = R(row);
    let kind = r.s("kind")?;
    let state = r.s("state")?;
    Ok(SlaClock {
        id: r.s("id")?,
        target_kind: r.e("target_kind", crate::codec::target_kind)?,
        target_id: r.s("target_id")?,
        constituency: r.oid("constituency_id", ConstituencyId::parse)?,
        kind: ClockKind::parse(&kind).ok_or_else(|| bad("kind", &kind))?,
        priority: r.i("priority")?,
        calendar: r.s("calendar")?,
        budget_secs: r.i("budget_secs")?,
        started_at: r.t("started_at")?,
        elapsed_secs: r.i("elapsed_secs")?,
        running_since: r.ot("running_since")?,
        state: ClockState::parse(&state).ok_or_else(|| bad("state", &state))?,
        stopped_at: r.ot("stopped_at")?,
        warn_at: r.ot("warn_at")?,
        breach_at: r.ot("breach_at")?,
        next_event_at: r.ot("next_event_at")?,
        warned: r.b("warned")?,
        breached: r.b("breached")?,
        escalate_to: r.oid("escalate_to", UserId::parse)?,
    })
}

/// Multi-row INSERT; `upsert` replaces rows with the same id.
fn multi_insert(table: &str, cols: &[&str], rows: Vec<Vec<Val>>, upsert: bool) -> Sql {
    let mut s = Sql::new(&format!(
        "INSERT INTO {table} ({}) VALUES ",
        cols.join(", ")
    ));
    for (i, vals) in rows.into_iter().enumerate() {
        s.push(if i > 0 { ", (" } else { "(" });
        for (j, v) in vals.into_iter().enumerate() {
            if j > 0 {
                s.push(", ");
            }
            s.bind(v);
        }
        s.push(")");
    }
    if upsert {
        let set: Vec<String> = cols[1..]
            .iter()
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        s.push(&format!(
            " ON CONFLICT (id) DO UPDATE SET {}",
            set.join(", ")
        ));
    }
    s
}

pub(crate) async fn put_clocks_tx(
    conn: &mut sqlx::AnyConnection,
    clocks: &[SlaClock],
) -> Result<()> {
    // Few rows per statement: sqlx looks each `$N` up by name in SQLite, which is quadratic
    // in the number of parameters of a statement.
    for chunk in clocks.chunks(ROWS_PER_INSERT) {
        multi_insert(
            "sla_clocks",
            CLOCK_COLS,
            chunk.iter().map(clock_vals).collect(),
            true,
        )
        .query()
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }
    Ok(())
}

const DEADLINE_COLS: &[&str] = &[
    "id",
    "incident_id",
    "preset_id",
    "regime",
    "deadline_id",
    "stage",
    "recipient",
    "clock_start",
    "clock_start_at",
    "due_at",
    "due_display",
    "hard",
    "unverified",
    "status",
    "submitted_at",
    "attachment_id",
    "warn_at",
    "next_event_at",
    "warned",
    "breached",
    "created_by",
    "created_at",
    "version",
];

fn deadline_vals(d: &DeadlineClock) -> Vec<Val> {
    vec![
        d.id.clone().into(),
        d.incident.to_string().into(),
        d.preset.clone().into(),
        d.regime.clone().into(),
        d.deadline.clone().into(),
        d.stage.clone().into(),
        d.recipient.clone().into(),
        d.clock_start.clone().into(),
        us(d.clock_start_at).into(),
        ous(d.due_at),
        d.due_display.clone().into(),
        i64::from(d.hard).into(),
        i64::from(d.unverified).into(),
        d.status.clone().into(),
        ous(d.submitted_at),
        d.attachment.map(|a| a.to_string()).into(),
        ous(d.warn_at),
        ous(d.next_event_at),
        i64::from(d.warned).into(),
        i64::from(d.breached).into(),
        d.created_by.to_string().into(),
        us(d.created_at).into(),
        d.version.into(),
    ]
}

fn deadline(row: &AnyRow) -> Result<DeadlineClock> {
    let r = R(row);
    Ok(DeadlineClock {
        id: r.s("id")?,
        incident: r.id("incident_id", IncidentId::parse)?,
        preset: r.s("preset_id")?,
        regime: r.s("regime")?,
        deadline: r.s("deadline_id")?,
        stage: r.s("stage")?,
        recipient: r.s("recipient")?,
        clock_start: r.s("clock_start")?,
        clock_start_at: r.t("clock_start_at")?,
        due_at: r.ot("due_at")?,
        due_display: r.s("due_display")?,
        hard: r.b("hard")?,
        unverified: r.b("unverified")?,
        status: r.s("status")?,
        submitted_at: r.ot("submitted_at")?,
        attachment: r.oid("attachment_id", AttachmentId::parse)?,
        warn_at: r.ot("warn_at")?,
        next_event_at: r.ot("next_event_at")?,
        warned: r.b("warned")?,
        breached: r.b("breached")?,
        created_by: r.id("created_by", UserId::parse)?,
        created_at: r.t("created_at")?,
        version: r.i("version")?,
    })
}

pub(crate) async fn insert_deadlines_tx(
    tx: &mut Transaction<'static, Any>,
    ds: &[DeadlineClock],
) -> Result<()> {
    for chunk in ds.chunks(ROWS_PER_INSERT) {
        multi_insert(
            "deadlines",
            DEADLINE_COLS,
            chunk.iter().map(deadline_vals).collect(),
            false,
        )
        .query()
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    }
    Ok(())
}

fn select(table: &str, cols: &[&str], where_: &str) -> Sql {
    Sql::new(&format!(
        "SELECT {} FROM {table} WHERE {where_}",
        cols.join(", ")
    ))
}

impl SqlStore {
    pub(crate) async fn put_clocks_impl(&self, clocks: &[SlaClock]) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        put_clocks_tx(&mut tx, clocks).await?;
        tx.commit().await.map_err(db_err)
    }

    pub(crate) async fn clocks_of_impl(&self, targets: &[String]) -> Result<Vec<SlaClock>> {
        let mut s = select("sla_clocks", CLOCK_COLS, "target_id IN ");
        s.bind_list(targets.iter().cloned()).push(" ORDER BY id");
        let rows = s.query().fetch_all(&self.read).await.map_err(db_err)?;
        rows.iter().map(clock).collect()
    }

    pub(crate) async fn clocks_near_breach_impl(
        &self,
        before: Timestamp,
        limit: i64,
    ) -> Result<Vec<SlaClock>> {
        let mut s = select(
            "sla_clocks",
            CLOCK_COLS,
            "warn_at IS NOT NULL AND warn_at <= ",
        );
        s.bind(us(before))
            .push(" ORDER BY breach_at, id LIMIT ")
            .bind(limit.clamp(1, 1000));
        let rows = s.query().fetch_all(&self.read).await.map_err(db_err)?;
        rows.iter().map(clock).collect()
    }

    pub(crate) async fn pending_events_impl(
        &self,
        now: Timestamp,
        limit: i64,
    ) -> Result<(Vec<SlaClock>, Vec<DeadlineClock>)> {
        let lim = limit.clamp(1, 100_000);
        let mut s = select(
            "sla_clocks",
            CLOCK_COLS,
            "next_event_at IS NOT NULL AND next_event_at <= ",
        );
        s.bind(us(now))
            .push(" ORDER BY next_event_at LIMIT ")
            .bind(lim);
        let rows = s.query().fetch_all(&self.read).await.map_err(db_err)?;
        let clocks = rows.iter().map(clock).collect::<Result<Vec<_>>>()?;
        let mut s = select(
            "deadlines",
            DEADLINE_COLS,
            "next_event_at IS NOT NULL AND next_event_at <= ",
        );
        s.bind(us(now))
            .push(" ORDER BY next_event_at LIMIT ")
            .bind(lim);
        let rows = s.query().fetch_all(&self.read).await.map_err(db_err)?;
        let deadlines = rows.iter().map(deadline).collect::<Result<Vec<_>>>()?;
        Ok((clocks, deadlines))
    }

    pub(crate) async fn record_sweep_impl(
        &self,
        clocks: &[SlaClock],
        deadlines: &[DeadlineClock],
        notes: &[NotificationRequest],
    ) -> Result<i64> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        let n = crate::triage::put_notes_on(&mut tx, notes, Some(self.backend)).await?;
        // Grouped by flags: the next event is derived from them exactly as `sla::sync` does
        // (warning until warned, then breach until breached, then none).
        let groups = [
            (
                "sla_clocks",
                "breach_at",
                clocks
                    .iter()
                    .map(|c| (c.id.clone(), c.warned, c.breached))
                    .collect::<Vec<_>>(),
            ),
            (
                "deadlines",
                "due_at",
                deadlines
                    .iter()
                    .map(|d| (d.id.clone(), d.warned, d.breached))
                    .collect(),
            ),
        ];
        for (table, due_col, rows) in groups {
            for flags in [(true, false), (true, true), (false, false), (false, true)] {
                let ids: Vec<String> = rows
                    .iter()
                    .filter(|r| (r.1, r.2) == flags)
                    .map(|r| r.0.clone())
                    .collect();
                for chunk in ids.chunks(IDS_PER_UPDATE) {
                    let next = match flags {
                        (false, _) => "warn_at".to_string(),
                        (true, false) => due_col.to_string(),
                        (true, true) => "NULL".to_string(),
                    };
                    Sql::new(&format!("UPDATE {table} SET warned = "))
                        .bind(i64::from(flags.0))
                        .push(", breached = ")
                        .bind(i64::from(flags.1))
                        .push(&format!(", next_event_at = {next} WHERE id IN "))
                        .bind_list(chunk.iter().cloned())
                        .query_on(self.backend)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                }
            }
        }
        tx.commit().await.map_err(db_err)?;
        Ok(n)
    }

    pub(crate) async fn insert_deadlines_impl(
        &self,
        ds: &[DeadlineClock],
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        insert_deadlines_tx(&mut tx, ds).await?;
        write(&mut tx, audit).await?;
        tx.commit().await.map_err(db_err)
    }

    pub(crate) async fn update_deadline_impl(
        &self,
        d: &DeadlineClock,
        expected: i64,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        update_row(
            &mut tx,
            "deadlines",
            DEADLINE_COLS,
            deadline_vals(d),
            d.id.clone(),
            expected,
        )
        .await?;
        write(&mut tx, audit).await?;
        tx.commit().await.map_err(db_err)
    }

    pub(crate) async fn get_deadline_impl(&self, id: &str) -> Result<Option<DeadlineClock>> {
        let mut s = select("deadlines", DEADLINE_COLS, "id = ");
        s.bind(id);
        let row = s.query().fetch_optional(&self.read).await.map_err(db_err)?;
        row.as_ref().map(deadline).transpose()
    }

    pub(crate) async fn deadlines_of_impl(&self, i: IncidentId) -> Result<Vec<DeadlineClock>> {
        let mut s = select("deadlines", DEADLINE_COLS, "incident_id = ");
        s.bind(i.to_string()).push(" ORDER BY due_at, id");
        let rows = s.query().fetch_all(&self.read).await.map_err(db_err)?;
        rows.iter().map(deadline).collect()
    }

    pub(crate) async fn deadlines_due_impl(
        &self,
        before: Timestamp,
        limit: i64,
    ) -> Result<Vec<DeadlineClock>> {
        let mut s = select(
            "deadlines",
            DEADLINE_COLS,
            "status = 'draft' AND due_at IS NOT NULL AND due_at <= ",
        );
        s.bind(us(before))
            .push(" ORDER BY due_at, id LIMIT ")
            .bind(limit.clamp(1, 1000));
        let rows = s.query().fetch_all(&self.read).await.map_err(db_err)?;
        rows.iter().map(deadline).collect()
    }

    pub(crate) async fn insert_preset_impl(
        &self,
        id: &str,
        body: &serde_json::Value,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        insert(
            "deadline_presets",
            &["id", "body", "created_by", "created_at"],
            vec![
                id.into(),
                to_json(body).into(),
                audit.actor.clone().into(),
                us(audit.at).into(),
            ],
        )
        .query()
        .execute(&mut *tx)
        .await
        .map_err(|e| match db_err(e) {
            hikeshi_core::Error::Duplicate { .. } => {
                hikeshi_core::Error::Duplicate { field: "id".into() }
            }
            other => other,
        })?;
        write(&mut tx, audit).await?;
        tx.commit().await.map_err(db_err)
    }

    pub(crate) async fn custom_presets_impl(&self) -> Result<Vec<serde_json::Value>> {
        let rows = Sql::new("SELECT body FROM deadline_presets ORDER BY id")
            .query()
            .fetch_all(&self.read)
            .await
            .map_err(db_err)?;
        rows.iter().map(|r| R(r).json("body")).collect()
    }
}
