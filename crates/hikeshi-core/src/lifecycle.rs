//! State machines. Every status change goes through `check_*`, so a forbidden transition
//! is one error in one place. Re-opening is a transition, never an edit.

use crate::error::{Error, Result};
use crate::model::{
    CountermeasureStatus as C, IncidentStatus as I, InvestigationStatus as V, ReportStatus as R,
};

fn allowed<T: Copy + PartialEq + std::fmt::Display>(
    table: &[(T, &[T])],
    from: T,
    to: T,
) -> Result<()> {
    let ok = table.iter().any(|(f, tos)| *f == from && tos.contains(&to));
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidTransition {
            from: from.to_string(),
            to: to.to_string(),
        })
    }
}

/// Incident: open → analysing → planning → responding → verifying → (analysing | planning |
/// resolved); any active state → abandoned; resolved → closed; resolved | closed |
/// abandoned → open (re-open). Handlers may also jump forward from open to any handling state.
pub const INCIDENT: &[(I, &[I])] = &[
    (
        I::Open,
        &[
            I::Analysing,
            I::Planning,
            I::Responding,
            I::Resolved,
            I::Abandoned,
        ],
    ),
    (
        I::Analysing,
        &[I::Planning, I::Responding, I::Resolved, I::Abandoned],
    ),
    (I::Planning, &[I::Analysing, I::Responding, I::Abandoned]),
    (
        I::Responding,
        &[I::Analysing, I::Verifying, I::Planning, I::Abandoned],
    ),
    (
        I::Verifying,
        &[
            I::Analysing,
            I::Planning,
            I::Responding,
            I::Resolved,
            I::Abandoned,
        ],
    ),
    (I::Resolved, &[I::Closed, I::Open]),
    (I::Closed, &[I::Open]),
    (I::Abandoned, &[I::Open]),
];

/// Report (RTIR): new → open → resolved | rejected; resolved | rejected → open.
pub const REPORT: &[(R, &[R])] = &[
    (R::New, &[R::Open, R::Resolved, R::Rejected]),
    (R::Open, &[R::Resolved, R::Rejected]),
    (R::Resolved, &[R::Open]),
    (R::Rejected, &[R::Open]),
];

pub const INVESTIGATION: &[(V, &[V])] = &[
    (V::Open, &[V::Waiting, V::Resolved, V::Abandoned]),
    (V::Waiting, &[V::Open, V::Resolved, V::Abandoned]),
    (V::Resolved, &[V::Open]),
    (V::Abandoned, &[V::Open]),
];

/// Countermeasure (RTIR): pending activation → active → pending removal → removed;
/// removed may become active again.
pub const COUNTERMEASURE: &[(C, &[C])] = &[
    (C::PendingActivation, &[C::Active, C::Removed]),
    (C::Active, &[C::PendingRemoval, C::Removed]),
    (C::PendingRemoval, &[C::Removed, C::Active]),
    (C::Removed, &[C::Active]),
];

pub fn check_incident(from: I, to: I) -> Result<()> {
    allowed(INCIDENT, from, to)
}
pub fn check_report(from: R, to: R) -> Result<()> {
    allowed(REPORT, from, to)
}
pub fn check_investigation(from: V, to: V) -> Result<()> {
    allowed(INVESTIGATION, from, to)
}
pub fn check_countermeasure(from: C, to: C) -> Result<()> {
    allowed(COUNTERMEASURE, from, to)
}

/// The statuses an incident may move to next (for UIs: show only allowed transitions).
pub fn incident_next(from: I) -> &'static [I] {
    INCIDENT
        .iter()
        .find(|(f, _)| *f == from)
        .map(|(_, t)| *t)
        .unwrap_or(&[])
}

/// Whether an incident in this status still counts as open work.
pub fn incident_is_active(s: I) -> bool {
    !matches!(s, I::Resolved | I::Closed | I::Abandoned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn any_incident() -> impl Strategy<Value = I> {
        proptest::sample::select(I::ALL.to_vec())
    }

    proptest! {
        /// From any state, following only allowed transitions never reaches a state outside
        /// the table, every terminal state can be re-opened, and a refused move names both ends.
        #[test]
        fn incident_walks_stay_in_the_machine(start in any_incident(), steps in proptest::collection::vec(any_incident(), 0..40)) {
            let mut s = start;
            for to in steps {
                match check_incident(s, to) {
                    Ok(()) => { prop_assert!(incident_next(s).contains(&to)); s = to; }
                    Err(Error::InvalidTransition { from, to: t }) => {
                        prop_assert_eq!(from, s.to_string());
                        prop_assert_eq!(t, to.to_string());
                    }
                    Err(_) => prop_assert!(false),
                }
            }
            if !incident_is_active(s) { prop_assert!(check_incident(s, I::Open).is_ok()); }
        }

        #[test]
        fn no_self_transitions(s in any_incident()) {
            prop_assert!(check_incident(s, s).is_err());
        }
    }

    #[test]
    fn countermeasure_follows_rtir() {
        assert!(check_countermeasure(C::PendingActivation, C::Active).is_ok());
        assert!(check_countermeasure(C::Removed, C::Active).is_ok());
        assert!(check_countermeasure(C::Removed, C::PendingRemoval).is_err());
        assert!(check_report(R::Rejected, R::Resolved).is_err());
        assert!(check_report(R::Rejected, R::Open).is_ok());
        assert!(check_investigation(V::Resolved, V::Waiting).is_err());
    }
}
