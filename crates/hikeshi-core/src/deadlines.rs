//! Legal and contractual deadline clocks attached to an incident: one record per deadline of
//! a preset (built-in from `regulatory-deadlines.yaml` via `hikeshi-calendar`, or a custom
//! preset stored by the team). The due time is computed once, when the clock starts, in the
//! deadline's calendar with its roll rule; regulatory clocks keep running whatever the
//! incident's workflow state. Pure.

use crate::error::{Error, Result};
use crate::ids::{AttachmentId, IncidentId, UserId};
use hikeshi_calendar::deadline::{
    Calendars, ClockStarts, Due, Preset, builtin_preset, builtin_presets, compute_preset,
};
use jiff::Timestamp;
use serde::Serialize;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeadlineClock {
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub incident: IncidentId,
    pub preset: String,
    pub regime: String,
    pub deadline: String,
    pub stage: String,
    pub recipient: String,
    /// Which event starts the clock (`became_aware`, …).
    pub clock_start: String,
    /// When the team became aware (the start given).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub clock_start_at: Timestamp,
    /// The first instant at which the deadline is missed; none without a fixed limit or
    /// while its start event is unknown.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub due_at: Option<Timestamp>,
    /// The due time as the law counts it, in the deadline's zone (`none`, `pending`).
    pub due_display: String,
    /// Statutory (true) or soft target.
    pub hard: bool,
    /// Not checked against the primary text: verify before relying on it.
    pub unverified: bool,
    /// `draft` or `submitted`.
    pub status: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub submitted_at: Option<Timestamp>,
    /// The submitted document.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub attachment: Option<AttachmentId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub warn_at: Option<Timestamp>,
    #[serde(skip)]
    pub next_event_at: Option<Timestamp>,
    #[serde(skip)]
    pub warned: bool,
    #[serde(skip)]
    pub breached: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_by: UserId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_at: Timestamp,
    pub version: i64,
}

impl DeadlineClock {
    /// The next warning or breach the sweep has not recorded yet (drafts only).
    pub fn refresh_next(&mut self) {
        self.next_event_at = if self.status != "draft" {
            None
        } else if !self.warned {
            self.warn_at
        } else if !self.breached {
            self.due_at
        } else {
            None
        };
    }
}

/// A preset by id: custom ones (stored) first, then the built-in ones.
pub fn find_preset(id: &str, custom: &[Preset]) -> Result<Preset> {
    if let Some(p) = custom.iter().find(|p| p.id == id) {
        return Ok(p.clone());
    }
    builtin_preset(id)
        .cloned()
        .map_err(|_| Error::validation("preset", format!("no deadline preset {id:?}")))
}

/// Built-in and custom presets.
pub fn all_presets(custom: &[Preset]) -> Vec<Preset> {
    let mut v: Vec<Preset> = builtin_presets().map(|p| p.to_vec()).unwrap_or_default();
    v.extend(custom.iter().cloned());
    v
}

/// Checks a custom preset: an id of its own, deadlines that compute.
pub fn validate_preset(p: &Preset) -> Result<()> {
    let id_ok = !p.id.is_empty()
        && p.id.len() <= 64
        && p.id
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'_');
    if !id_ok {
        return Err(Error::validation(
            "id",
            "1 to 64 characters: a-z, 0-9, - and _",
        ));
    }
    if builtin_preset(&p.id).is_ok() {
        return Err(Error::Duplicate { field: "id".into() });
    }
    if p.deadlines.is_empty() {
        return Err(Error::validation("deadlines", "at least one deadline"));
    }
    compute_preset(
        p,
        &ClockStarts::all_events_at(Timestamp::UNIX_EPOCH),
        &Calendars::builtin(),
    )
    .map_err(|e| Error::validation("deadlines", e.to_string()))?;
    Ok(())
}

/// The deadline clocks of `preset` for an incident, all started at `aware_at`.
pub fn start_clocks(
    preset: &Preset,
    incident: IncidentId,
    aware_at: Timestamp,
    by: UserId,
    now: Timestamp,
    new_id: &mut dyn FnMut() -> String,
) -> Result<Vec<DeadlineClock>> {
    let dues = compute_preset(
        preset,
        &ClockStarts::all_events_at(aware_at),
        &Calendars::builtin(),
    )
    .map_err(|e| Error::validation("preset", e.to_string()))?;
    let mut out = Vec::new();
    for (d, due) in preset.deadlines.iter().zip(dues) {
        let due_at = due.cutoff();
        let warn_at = due_at.map(|c| {
            let span = aware_at.duration_until(c);
            c.checked_sub(span / 4).unwrap_or(c)
        });
        let mut c = DeadlineClock {
            id: new_id(),
            incident,
            preset: preset.id.clone(),
            regime: preset.regime.clone(),
            deadline: d.id.clone(),
            stage: d.stage_en.clone(),
            recipient: d.recipient.clone(),
            clock_start: serde_json::to_value(d.clock_start)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            clock_start_at: aware_at,
            due_at,
            due_display: due.display_due(),
            hard: d.hard && !matches!(due.due, Due::NoFixedLimit),
            unverified: d.is_unverified() || preset.is_unverified(),
            status: "draft".into(),
            submitted_at: None,
            attachment: None,
            warn_at,
            next_event_at: None,
            warned: false,
            breached: false,
            created_by: by,
            created_at: now,
            version: 1,
        };
        c.refresh_next();
        out.push(c);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().expect("timestamp")
    }

    #[test]
    fn clocks_follow_the_preset_and_warn_at_three_quarters() {
        let p = find_preset("jp-appi", &[]).expect("built in");
        let mut n = 0;
        let mut id = || {
            n += 1;
            format!("d{n}")
        };
        let aware = t("2026-04-01T01:00:00Z");
        let cs = start_clocks(
            &p,
            IncidentId::new(1),
            aware,
            UserId::new(1),
            aware,
            &mut id,
        )
        .expect("clocks");
        assert_eq!(cs.len(), p.deadlines.len());
        for c in &cs {
            assert_eq!((c.status.as_str(), c.unverified), ("draft", true));
            if let (Some(due), Some(warn)) = (c.due_at, c.warn_at) {
                let span = aware.duration_until(due);
                assert_eq!(warn.duration_until(due), span / 4);
                assert_eq!(c.next_event_at, Some(warn));
            } else {
                assert_eq!(c.next_event_at, None, "{} has no fixed limit", c.deadline);
            }
        }
        let mut sub = cs[0].clone();
        sub.status = "submitted".into();
        sub.refresh_next();
        assert_eq!(sub.next_event_at, None);
    }

    #[test]
    fn custom_presets_are_checked() {
        let mut p = find_preset("jp-appi", &[]).expect("built in");
        assert!(matches!(validate_preset(&p), Err(Error::Duplicate { .. })));
        p.id = "Bad Id".into();
        assert!(
            matches!(validate_preset(&p), Err(Error::Validation { field, .. }) if field == "id")
        );
        p.id = "contract-x".into();
        validate_preset(&p).expect("a copy under a new id is fine");
        assert_eq!(
            find_preset("contract-x", std::slice::from_ref(&p))
                .map(|x| x.id)
                .ok(),
            Some("contract-x".into())
        );
        p.deadlines.clear();
        assert!(
            matches!(validate_preset(&p), Err(Error::Validation { field, .. }) if field == "deadlines")
        );
        assert!(
            matches!(find_preset("nope", &[]), Err(Error::Validation { field, .. }) if field == "preset")
        );
    }
}
