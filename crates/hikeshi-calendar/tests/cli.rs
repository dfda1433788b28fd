//! The CLI-facing functions: exact output lines and one-line errors naming the argument.

use hikeshi_calendar::cli::{CliError, calendar_due, deadline_due, deadline_presets};

fn due(cal: &str, from: &str, hours: &str) -> String {
    calendar_due(cal, from, hours).unwrap_or_else(|e| panic!("{cal} {from} {hours}: {e}"))
}

#[test]
fn calendar_due_outputs() {
    for (cal, from, hours, want) in [
        (
            "jp-business",
            "2026-01-09T16:00:00+09:00",
            "3",
            "2026-01-13T10:00:00+09:00",
        ),
        (
            "jp-business",
            "2026-01-09T16:00:00+09:00",
            "2",
            "2026-01-09T18:00:00+09:00",
        ),
        (
            "jp-business",
            "2026-01-02T10:00:00+09:00",
            "4",
            "2026-01-02T14:00:00+09:00",
        ),
        (
            "jp-business-yearend",
            "2026-01-02T10:00:00+09:00",
            "4",
            "2026-01-05T13:00:00+09:00",
        ),
        (
            "jp-business",
            "2026-01-03T10:00:00+09:00",
            "0",
            "2026-01-03T10:00:00+09:00",
        ),
        (
            "jp-business",
            "2026-01-05T00:00:00Z",
            "0.5",
            "2026-01-05T09:30:00+09:00",
        ),
        (
            "jp-business",
            "2026-01-05T09:00:00+09:00",
            "0.0001",
            "2026-01-05T09:00:00.36+09:00",
        ),
        (
            "jp-business",
            "2026-01-05",
            "1",
            "2026-01-05T10:00:00+09:00",
        ),
        ("24x7", "2026-03-27T22:00:00Z", "72", "2026-03-30T22:00:00Z"),
        (
            "us-federal-business",
            "2026-11-25T12:00:00-05:00",
            "12",
            "2026-11-26T00:00:00-05:00",
        ),
        (
            "us-federal-business",
            "2026-11-25T12:00:00-05:00",
            "13",
            "2026-11-27T01:00:00-05:00",
        ),
    ] {
        assert_eq!(due(cal, from, hours), want, "{cal} {from} {hours}");
    }
}

fn one_line_naming(e: &CliError, flag: &str) {
    let msg = e.to_string();
    assert!(msg.contains(flag), "{msg:?} should name {flag}");
    assert!(!msg.contains('\n'), "{msg:?} should be one line");
}

#[test]
fn calendar_due_errors_name_the_argument() {
    let e = calendar_due("jp-nope", "2026-01-05T09:00:00Z", "1").expect_err("bad calendar");
    one_line_naming(&e, "--calendar");
    assert!(
        e.to_string().contains("jp-business"),
        "lists the known calendars"
    );
    for bad in ["yesterday", "2026-01-05T09:00:00", "2026-13-01", ""] {
        let e = calendar_due("jp-business", bad, "1").expect_err(bad);
        one_line_naming(&e, "--from");
    }
    for bad in [
        "-1",
        "abc",
        "1e3",
        ".5",
        "1.",
        "1.0000000001",
        "1000001",
        "NaN",
        "1,5",
    ] {
        let e = calendar_due("jp-business", "2026-01-05T09:00:00Z", bad).expect_err(bad);
        one_line_naming(&e, "--business-hours");
    }
    assert!(calendar_due("jp-business", "2026-01-05T09:00:00Z", "1000000").is_ok());
}

#[test]
fn deadline_due_lines() {
    assert_eq!(
        deadline_due("eu-gdpr", "2026-03-27T22:00:00Z").expect("gdpr"),
        [
            "eu-gdpr-33 2026-03-30T22:00:00Z",
            "eu-gdpr-33-2 none",
            "eu-gdpr-34 none"
        ]
    );
    assert_eq!(
        deadline_due("eu-nis2", "2026-03-27T22:00:00Z").expect("nis2"),
        [
            "eu-nis2-early-warning 2026-03-28T22:00:00Z",
            "eu-nis2-notification 2026-03-30T22:00:00Z",
            "eu-nis2-trust-services 2026-03-28T22:00:00Z",
            "eu-nis2-intermediate none",
            "eu-nis2-final pending",
            "eu-nis2-recipients none",
        ]
    );
    assert_eq!(
        deadline_due("jp-appi", "2025-12-05T10:00:00+09:00").expect("appi"),
        [
            "jp-appi-sokuhou none",
            "jp-appi-kakuhou 2026-01-05T23:59:59+09:00",
            "jp-appi-kakuhou-malicious 2026-02-02T23:59:59+09:00",
            "jp-appi-notice-individual none",
            "jp-appi-outsourcee none",
        ]
    );
    // A bare date is 00:00 in the preset's zone.
    assert_eq!(
        deadline_due("jp-appi", "2026-04-07").expect("appi")[1],
        "jp-appi-kakuhou 2026-05-07T23:59:59+09:00"
    );
    assert_eq!(
        deadline_due("us-sec-8k-105", "2026-11-25").expect("sec"),
        ["us-sec-8k-105-filing 2026-12-02T23:59:59-05:00"]
    );
    assert_eq!(
        deadline_due("sg-pdpa", "2026-06-05T15:00:00+08:00").expect("pdpa")[1],
        "sg-pdpa-notify 2026-06-08T23:59:59+08:00"
    );
    // DORA from the CLI: classification taken at aware-at, so aware + 4 h.
    assert_eq!(
        deadline_due("eu-dora", "2026-05-04T02:00:00Z").expect("dora"),
        [
            "eu-dora-initial 2026-05-04T06:00:00Z",
            "eu-dora-intermediate pending",
            "eu-dora-final pending",
        ]
    );
    // Every preset prints one line per deadline, `ID DUE`.
    for line in deadline_presets() {
        let id = line.split('\t').next().expect("id");
        let out = deadline_due(id, "2026-06-15T10:00:00Z").expect(id);
        assert!(!out.is_empty());
        for l in out {
            assert_eq!(l.split(' ').count(), 2, "{l:?}");
        }
    }
}

#[test]
fn deadline_due_errors_name_the_argument() {
    one_line_naming(
        &deadline_due("xx-nope", "2026-01-01").expect_err("preset"),
        "--preset",
    );
    for bad in ["soon", "2026-01-01T10:00", "2026/01/01"] {
        one_line_naming(&deadline_due("eu-gdpr", bad).expect_err(bad), "--aware-at");
    }
}

#[test]
fn preset_list() {
    let lines = deadline_presets();
    assert_eq!(lines.len(), 20);
    assert_eq!(
        lines[0],
        "jp-appi\tAct on the Protection of Personal Information (APPI)\t(unverified, confidence S)"
    );
    assert!(lines.iter().all(|l| l.contains("(unverified")));
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("us-circia\t") && l.ends_with("(not in force)"))
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("eu-gdpr\t") && l.contains("confidence M"))
    );
}
