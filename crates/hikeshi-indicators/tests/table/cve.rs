//! Table cases: cve.

use super::check;

#[test]
fn cve() {
    check("CVE-2021-44228", &["cve:CVE-2021-44228@0..14"]);
    check("cve-2021-44228", &["cve:CVE-2021-44228@0..14"]);
    check("CVE-2024-123456", &["cve:CVE-2024-123456@0..15"]);
    check("CVE-2024-123", &[]);
    check("XCVE-2021-44228", &[]);
    check("CVE-1998-0001", &[]);
    check("(CVE-2021-44228)", &["cve:CVE-2021-44228@1..15"]);
    check("CVE-2021-44228a", &[]);
    check(
        "CVE-2021-44228,CVE-2022-22965",
        &["cve:CVE-2021-44228@0..14", "cve:CVE-2022-22965@15..29"],
    );
    check("see CVE-2023-4966.", &["cve:CVE-2023-4966@4..17"]);
}
