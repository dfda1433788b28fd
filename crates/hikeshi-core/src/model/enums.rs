//! Closed vocabularies, each with one canonical lower-case spelling used in the API,
//! the database and the CLI.

use crate::error::Error;

macro_rules! vocab {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $s:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),* }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),* }
            }
            /// Parse the canonical spelling (case-insensitive); `field` names the input in the error.
            pub fn parse_field(s: &str, field: &str) -> Result<Self, Error> {
                let l = s.trim().to_ascii_lowercase();
                match l.as_str() {
                    $($s => Ok($name::$variant),)*
                    _ => Err(Error::validation(field, format!(
                        "unknown value {:?}; expected one of: {}", s,
                        [$($s),*].join(", ")))),
                }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> { s.serialize_str(self.as_str()) }
        }
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $name::parse_field(&s, stringify!($name)).map_err(|e| serde::de::Error::custom(e.to_string()))
            }
        }
    };
}

vocab!(
    /// Severity of an incident.
    Severity { Low = "low", Medium = "medium", High = "high", Critical = "critical" }
);
vocab!(
    /// Impact and urgency share one scale.
    Level { Low = "low", Medium = "medium", High = "high" }
);
vocab!(
    /// Traffic Light Protocol 2.0, lowest to highest restriction.
    Tlp { Clear = "clear", Green = "green", Amber = "amber", AmberStrict = "amber+strict", Red = "red" }
);
vocab!(
    /// Permissible Actions Protocol.
    Pap { Clear = "clear", Green = "green", Amber = "amber", Red = "red" }
);
vocab!(
    Channel { Email = "email", Web = "web", Api = "api", Phone = "phone", Other = "other" }
);
vocab!(
    ReporterType {
        Constituent = "constituent", Csirt = "csirt", Researcher = "researcher", Isp = "isp",
        Vendor = "vendor", LawEnforcement = "law-enforcement", Automated = "automated",
        Anonymous = "anonymous", Other = "other"
    }
);
vocab!(
    Role { Admin = "admin", Lead = "lead", Handler = "handler", Observer = "observer", Reporter = "reporter" }
);
vocab!(
    ReportStatus { New = "new", Open = "open", Resolved = "resolved", Rejected = "rejected" }
);
vocab!(
    IncidentStatus {
        Open = "open", Analysing = "analysing", Planning = "planning", Responding = "responding",
        Verifying = "verifying", Resolved = "resolved", Closed = "closed", Abandoned = "abandoned"
    }
);
vocab!(
    InvestigationStatus { Open = "open", Waiting = "waiting", Resolved = "resolved", Abandoned = "abandoned" }
);
vocab!(
    CountermeasureKind { Block = "block", Takedown = "takedown", Isolate = "isolate", ResetCredentials = "reset-credentials", Other = "other" }
);
vocab!(
    CountermeasureStatus {
        PendingActivation = "pending-activation", Active = "active",
        PendingRemoval = "pending-removal", Removed = "removed"
    }
);
vocab!(
    Direction { In = "in", Out = "out" }
);
vocab!(
    Lang { Ja = "ja", En = "en" }
);

// ---- Handling (playbooks, the handling loop, approvals, notifications) ----
vocab!(
    /// A playbook task on an incident.
    TaskStatus { Open = "open", Done = "done", Skipped = "skipped" }
);
vocab!(
    /// Targeted attacks: remove the threat at once, or first map every foothold quietly.
    Strategy { EliminateNow = "eliminate-now", ScopeFirst = "scope-first" }
);
vocab!(
    /// The verify step: the response worked, or the loop goes round again.
    VerifyOutcome { Resolved = "resolved", NotResolved = "not-resolved" }
);
vocab!(
    ApprovalStatus { Pending = "pending", Approved = "approved", Rejected = "rejected" }
);
vocab!(
    /// Payload shape of an outbound webhook.
    WebhookFormat { Json = "json", Slack = "slack", Mattermost = "mattermost", Teams = "teams" }
);

impl Tlp {
    /// AMBER and above restrict sharing (mail must be encrypted, chat gets only a link).
    pub fn is_restricted(self) -> bool {
        self >= Tlp::Amber
    }
}

/// Impact × urgency → priority (1 = most urgent, 5 = least), the common ITIL matrix.
pub fn default_priority(impact: Level, urgency: Level) -> i64 {
    let score = |l: Level| match l {
        Level::High => 0,
        Level::Medium => 1,
        Level::Low => 2,
    };
    1 + score(impact) + score(urgency)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocab_round_trips_and_names_field() {
        for t in Tlp::ALL {
            assert_eq!(Tlp::parse_field(t.as_str(), "tlp").ok(), Some(*t));
        }
        assert_eq!(
            Tlp::parse_field("AMBER+STRICT", "tlp").ok(),
            Some(Tlp::AmberStrict)
        );
        let e = Tlp::parse_field("purple", "tlp")
            .err()
            .map(|e| e.to_string());
        assert!(e.unwrap_or_default().starts_with("tlp: unknown value"));
    }

    #[test]
    fn priority_matrix_corners() {
        assert_eq!(default_priority(Level::High, Level::High), 1);
        assert_eq!(default_priority(Level::Low, Level::Low), 5);
        assert_eq!(default_priority(Level::High, Level::Low), 3);
        assert!(Tlp::AmberStrict.is_restricted() && !Tlp::Green.is_restricted());
    }
}
