//! The parsers never panic, whatever they are given.

use proptest::prelude::*;

const XML_BITS: &[&str] = &[
    "<IODEF-Document version=\"2.00\" xmlns=\"urn:ietf:params:xml:ns:iodef-2.0\">",
    "<Incident purpose=\"reporting\">",
    "<IncidentID name=\"x\">1</IncidentID>",
    "<Address>192.0.2.1</Address>",
    "<DigestValue>%%%</DigestValue>",
    "&amp;",
    "&#xFFFFFF;",
    "&bogus;",
    "<![CDATA[x]]>",
    "</Incident>",
    "</IODEF-Document>",
    "<!DOCTYPE x>",
    "<",
    ">",
];

const MAIL_BITS: &[&str] = &[
    "From: a@example.com\r\n",
    "X-XARF: PLAIN\r\n",
    "Content-Type: multipart/report; report-type=feedback-report; boundary=b\r\n",
    "Content-Type: application/json\r\n",
    "\r\n",
    "--b\r\n",
    "Content-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\n",
    "{\"xarf_version\": \"4.2.0\"}",
    "{\"Version\": \"3\", \"Report\": {}}",
    "--b--\r\n",
];

fn pieces(bits: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(bits), 0..30).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn bytes_never_panic(b in prop::collection::vec(any::<u8>(), 0..2000)) {
        let _ = hikeshi_formats::xarf::parse(&b);
        let _ = hikeshi_formats::iodef::parse(&b);
        let _ = hikeshi_formats::arf::parse(&b);
        let _ = hikeshi_formats::from_mail(&b);
    }

    #[test]
    fn xml_pieces_never_panic(s in pieces(XML_BITS)) {
        let _ = hikeshi_formats::iodef::parse(s.as_bytes());
    }

    #[test]
    fn mail_pieces_never_panic(s in pieces(MAIL_BITS)) {
        let _ = hikeshi_formats::from_mail(s.as_bytes());
    }
}
