//! Tests of the public form's checks.
use super::*;

fn form() -> WebReport {
    WebReport {
        name: "Taro".into(),
        email: "taro@example.co.jp".into(),
        description: "Phishing at hxxp://evil[.]example.com".into(),
        ..Default::default()
    }
}

#[test]
fn checks_name_the_field() {
    let file = |n: usize| Upload {
        name: "a".into(),
        content_type: "text/plain".into(),
        bytes: vec![0; n],
    };
    let cases: Vec<(WebReport, Vec<Upload>, Option<&str>)> = vec![
        (form(), vec![], None),
        (
            WebReport {
                name: " ".into(),
                ..form()
            },
            vec![],
            Some("name"),
        ),
        (
            WebReport {
                email: "nope".into(),
                ..form()
            },
            vec![],
            Some("email"),
        ),
        (
            WebReport {
                email: "a b@example.com".into(),
                ..form()
            },
            vec![],
            Some("email"),
        ),
        (
            WebReport {
                description: "".into(),
                ..form()
            },
            vec![],
            Some("description"),
        ),
        (
            WebReport {
                incident_type: "fraud/phishing".into(),
                ..form()
            },
            vec![],
            None,
        ),
        (
            WebReport {
                incident_type: "fraud/ddos".into(),
                ..form()
            },
            vec![],
            Some("incident_type"),
        ),
        (
            form(),
            (0..6).map(|_| file(1)).collect(),
            Some("attachments"),
        ),
        (form(), vec![file(FORM_MAX_FILE + 1)], Some("attachments")),
    ];
    for (input, files, want) in cases {
        let got = match check_web_report(&input, &files) {
            Ok(()) => None,
            Err(Error::Validation { field, .. }) => Some(field),
            Err(e) => panic!("{e}"),
        };
        assert_eq!(got.as_deref(), want, "{input:?}");
    }
}

#[test]
fn subject_is_the_first_line() {
    assert_eq!(one_line("\n  first line \nsecond", 120), "first line");
    assert_eq!(one_line("abcdef", 3), "abc…");
    assert_eq!(safe_name("../x/y", 0), ".._x_y");
    assert_eq!(safe_name("", 1), "file-2");
}
