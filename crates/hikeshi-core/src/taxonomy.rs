//! Classification vocabularies: RSIT v1.3 (classes and types, the primary label) and the
//! JPCERT/CC report categories (an alternative label). Facts from `shared/domain/`.

use crate::error::{Error, Result};
use crate::model::Classification;

/// RSIT v1.3 (version 1003): class → types.
pub const RSIT: &[(&str, &[&str])] = &[
    ("abusive-content", &["spam", "harmful-speech", "violence"]),
    (
        "malicious-code",
        &[
            "infected-system",
            "c2-server",
            "malware-distribution",
            "malware-configuration",
        ],
    ),
    (
        "information-gathering",
        &["scanner", "sniffing", "social-engineering"],
    ),
    (
        "intrusion-attempts",
        &["ids-alert", "brute-force", "exploit"],
    ),
    (
        "intrusions",
        &[
            "privileged-account-compromise",
            "unprivileged-account-compromise",
            "application-compromise",
            "system-compromise",
            "burglary",
        ],
    ),
    (
        "availability",
        &["dos", "ddos", "misconfiguration", "sabotage", "outage"],
    ),
    (
        "information-content-security",
        &[
            "unauthorised-information-access",
            "unauthorised-information-modification",
            "data-loss",
            "data-leak",
        ],
    ),
    (
        "fraud",
        &[
            "unauthorised-use-of-resources",
            "copyright",
            "masquerade",
            "phishing",
        ],
    ),
    (
        "vulnerable",
        &[
            "weak-crypto",
            "ddos-amplifier",
            "potentially-unwanted-accessible",
            "information-disclosure",
            "vulnerable-system",
        ],
    ),
    ("other", &["other", "undetermined"]),
    ("test", &["test"]),
];

/// JPCERT/CC quarterly-report incident categories.
pub const JPCERT: &[&str] = &[
    "phishing_site",
    "website_defacement",
    "malware_site",
    "scan",
    "dos_ddos",
    "ics_related",
    "targeted_attack",
    "other",
];

/// Checks a classification: the type must belong to the class, a type needs a class.
pub fn validate(c: &Classification) -> Result<()> {
    match (&c.rsit_class, &c.rsit_type) {
        (None, Some(_)) => return Err(Error::validation("rsit_type", "needs rsit_class")),
        (Some(class), t) => {
            let Some((_, types)) = RSIT.iter().find(|(k, _)| k == class) else {
                return Err(Error::validation(
                    "rsit_class",
                    format!("unknown RSIT class {class:?}"),
                ));
            };
            if let Some(t) = t
                && !types.contains(&t.as_str())
            {
                return Err(Error::validation(
                    "rsit_type",
                    format!("{t:?} is not a type of RSIT class {class:?}"),
                ));
            }
        }
        (None, None) => {}
    }
    if let Some(j) = &c.jpcert_category
        && !JPCERT.contains(&j.as_str())
    {
        return Err(Error::validation(
            "jpcert_category",
            format!("unknown JPCERT/CC category {j:?}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(class: Option<&str>, t: Option<&str>, j: Option<&str>) -> Classification {
        Classification {
            rsit_class: class.map(Into::into),
            rsit_type: t.map(Into::into),
            jpcert_category: j.map(Into::into),
        }
    }

    #[test]
    fn rsit_has_11_classes_and_39_types() {
        assert_eq!(RSIT.len(), 11);
        assert_eq!(RSIT.iter().map(|(_, t)| t.len()).sum::<usize>(), 39);
    }

    #[test]
    fn validation_names_the_field() {
        assert!(validate(&c(Some("fraud"), Some("phishing"), Some("phishing_site"))).is_ok());
        let field = |r: Result<()>| match r {
            Err(Error::Validation { field, .. }) => field,
            _ => String::new(),
        };
        assert_eq!(
            field(validate(&c(Some("fraud"), Some("spam"), None))),
            "rsit_type"
        );
        assert_eq!(field(validate(&c(Some("nope"), None, None))), "rsit_class");
        assert_eq!(field(validate(&c(None, Some("spam"), None))), "rsit_type");
        assert_eq!(
            field(validate(&c(None, None, Some("x")))),
            "jpcert_category"
        );
    }
}
