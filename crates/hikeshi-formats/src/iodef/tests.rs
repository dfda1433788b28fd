use super::*;

const DOC: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<IODEF-Document version="2.00" xml:lang="en" xmlns="urn:ietf:params:xml:ns:iodef-2.0">
  <Incident purpose="reporting" restriction="green">
    <IncidentID name="csirt.example.com">189493</IncidentID>
    <ReportTime>2015-10-02T11:18:00-05:00</ReportTime>
    <GenerationTime>2015-10-02T11:18:00-05:00</GenerationTime>
    <Description>Scan of the web servers &amp; more</Description>
    <Contact role="creator" type="organization">
      <ContactName>CSIRT for example.com</ContactName>
      <Email><EmailTo>contact@csirt.example.com</EmailTo></Email>
    </Contact>
    <EventData>
      <Flow>
        <System category="source">
          <Node><Address category="ipv4-addr">192.0.2.200</Address><DomainName>scanner.example.net</DomainName></Node>
        </System>
        <System category="target">
          <Node><Address category="ipv4-net">198.51.100.16/28</Address></Node>
        </System>
      </Flow>
      <Record><RecordData><URL>http://bad.example.org/x</URL>
        <HashData scope="file-contents"><Hash><ds:DigestMethod xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
        <ds:DigestValue xmlns:ds="http://www.w3.org/2000/09/xmldsig#">47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=</ds:DigestValue></Hash></HashData>
      </RecordData></Record>
    </EventData>
  </Incident>
</IODEF-Document>"#;

#[test]
fn accepts_and_maps() {
    let s = parse(DOC.as_bytes()).expect("valid");
    let obs: Vec<(&str, &str)> = s
        .observables
        .iter()
        .map(|i| (i.kind.as_str(), i.value.as_str()))
        .collect();
    assert_eq!(
        obs,
        vec![
            ("ipv4", "192.0.2.200"),
            ("domain", "scanner.example.net"),
            ("cidr", "198.51.100.16/28"),
            ("url", "http://bad.example.org/x"),
            (
                "sha256",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            ),
        ]
    );
    assert_eq!(s.title, "IODEF reporting: Scan of the web servers & more");
    assert_eq!(s.reporter.as_deref(), Some("csirt.example.com"));
    assert_eq!(s.details["incidents"][0]["restriction"], "green");
    assert!(s.summary.contains("192.0.2.200"));
}

#[test]
fn refusals() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "v1 namespace",
            "urn:ietf:params:xml:ns:iodef-2.0\"",
            "urn:ietf:params:xml:ns:iodef-1.0\"",
        ),
        ("version", "version=\"2.00\"", "version=\"1.00\""),
        ("purpose", "purpose=\"reporting\"", "purpose=\"curiosity\""),
        (
            "no IncidentID",
            "<IncidentID name=\"csirt.example.com\">189493</IncidentID>",
            "",
        ),
        (
            "IncidentID without name",
            "<IncidentID name=\"csirt.example.com\">",
            "<IncidentID>",
        ),
        (
            "no GenerationTime",
            "<GenerationTime>2015-10-02T11:18:00-05:00</GenerationTime>",
            "",
        ),
        (
            "bad GenerationTime",
            "<GenerationTime>2015-10-02T11:18:00-05:00</GenerationTime>",
            "<GenerationTime>soon</GenerationTime>",
        ),
        ("contact without role", "role=\"creator\" ", ""),
        ("root", "IODEF-Document version", "Other version"),
    ];
    for (name, from, to) in cases {
        let doc = DOC.replacen(from, to, 1).replace(
            "</IODEF-Document>",
            if *name == "root" {
                "</Other>"
            } else {
                "</IODEF-Document>"
            },
        );
        assert!(parse(doc.as_bytes()).is_err(), "{name} must be refused");
    }
    let no_contact = DOC
        .split("<Contact")
        .next()
        .map(|head| format!("{head}{}", DOC.split("</Contact>").nth(1).unwrap_or("")))
        .unwrap_or_default();
    assert!(parse(no_contact.as_bytes()).is_err(), "no Contact");
    let no_incident = r#"<IODEF-Document version="2.00" xmlns="urn:ietf:params:xml:ns:iodef-2.0"></IODEF-Document>"#;
    assert!(parse(no_incident.as_bytes()).is_err());
    assert!(parse(b"not xml at all <").is_err());
    assert!(parse(b"").is_err());
    let doctype = format!(
        "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>{}",
        &DOC[DOC.find("<IODEF").unwrap_or(0)..]
    );
    assert!(parse(doctype.as_bytes()).is_err(), "DOCTYPE refused");
    let unbalanced = DOC.replace("</Incident>", "");
    assert!(parse(unbalanced.as_bytes()).is_err());
}
