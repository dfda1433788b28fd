//! Every mail message under ../shared/corpus parses without panic, as-is,
//! with CRs stripped and with bare LF → CRLF; known Japanese samples decode
//! to what Python's `email` package gives. Prints "skipped: corpus not found"
//! and passes when the folder is absent.

use std::path::{Path, PathBuf};

use hikeshi_mail::{ParsedMessage, parse};

/// Folders that hold mail (see corpus/README.md); the rest is JSON.
const MAIL_DIRS: &[&str] = &[
    "stalwart-mail-parser",
    "cpython-email",
    "ruby-mail",
    "mimekit-messages",
    "stalwart-mail-auth-arf",
];

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    dir.is_dir().then_some(dir)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("eml") || e.eq_ignore_ascii_case("txt"))
        {
            out.push(path);
        }
    }
}

fn strip_cr(raw: &[u8]) -> Vec<u8> {
    raw.iter().copied().filter(|b| *b != b'\r').collect()
}

fn to_crlf(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 20);
    for b in strip_cr(raw) {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

#[test]
fn corpus_parses_without_panic() {
    let Some(root) = corpus() else {
        println!("skipped: corpus not found");
        return;
    };
    let mut files = Vec::new();
    for d in MAIL_DIRS {
        walk(&root.join(d), &mut files);
    }
    files.sort();
    assert!(
        files.len() > 200,
        "expected the mail corpora, found {}",
        files.len()
    );
    let (mut flagged, mut auto, mut forwarded, mut attachments, mut ja) = (0, 0, 0, 0, 0);
    for path in &files {
        let raw = std::fs::read(path).unwrap_or_default();
        let m = parse(&raw);
        // The variants must not panic either (parse itself never panics, so
        // this also proves the catch_unwind fallback was not needed).
        for variant in [strip_cr(&raw), to_crlf(&raw)] {
            let v = parse(&variant);
            assert!(
                !v.malformed.iter().any(|n| n.contains("parser failed")),
                "{path:?}: {:?}",
                v.malformed
            );
        }
        assert!(
            !m.malformed.iter().any(|n| n.contains("parser failed")),
            "{path:?}"
        );
        flagged += usize::from(!m.malformed.is_empty());
        auto += usize::from(m.auto_generated.is_some());
        forwarded += m.forwarded.len();
        attachments += m.attachments.len();
        ja += usize::from(m.language == hikeshi_mail::Lang::Ja);
        if std::env::var_os("HIKESHI_CORPUS_VERBOSE").is_some() && !m.malformed.is_empty() {
            println!("{}: {:?}", path.display(), m.malformed);
        }
    }
    println!(
        "corpus: {} files parsed (x3 variants), {flagged} flagged malformed, {auto} auto-generated, \
         {forwarded} forwarded parts, {attachments} attachments, {ja} Japanese",
        files.len()
    );
}

fn load(root: &Path, rel: &str) -> ParsedMessage {
    parse(&std::fs::read(root.join(rel)).unwrap_or_default())
}

/// Expected values from Python 3.13 `email` with `policy.default`.
#[test]
fn corpus_japanese_samples_match_python() {
    let Some(root) = corpus() else {
        println!("skipped: corpus not found");
        return;
    };
    let ruby = "ruby-mail/spec/fixtures/emails";
    let cases: &[(String, &str, &[&str])] = &[
        (
            format!("{ruby}/multi_charset/japanese_shift_jis.eml"),
            "test",
            &[
                "あいうえお",
                "このメールはテスト用のメールです。",
                "今後ともよろしくお願い申し上げます！",
            ],
        ),
        (
            format!("{ruby}/multi_charset/japanese_iso_2022.eml"),
            "まみむめも",
            &["すみません。"],
        ),
        (
            "mimekit-messages/UnitTests/TestData/messages/japanese.txt".into(),
            "日本語メールテスト (testing Japanese emails)",
            &["日本語が\n正常に\n送れているか"],
        ),
        (
            format!("{ruby}/rfc2822/example14.eml"),
            "Re: TEST テストテスト",
            &["Hello"],
        ),
        (
            "stalwart-mail-parser/resources/eml/thirdparty/005.eml".into(),
            "",
            &[],
        ),
    ];
    for (rel, subject, texts) in cases {
        let m = load(&root, rel);
        if !subject.is_empty() {
            // Python keeps the folding whitespace as a tab; we collapse it.
            let got = m.subject.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(&got, subject, "{rel}");
        }
        let text = m.text.replace("\r\n", "\n");
        for t in *texts {
            assert!(text.contains(t), "{rel}: {t:?} not in {text:?}");
        }
        assert!(!m.text.contains('\u{FFFD}'), "{rel}: {:?}", m.text);
    }
    let m = load(
        &root,
        "stalwart-mail-parser/resources/eml/thirdparty/005.eml",
    );
    // EUC-JP base64 part with 『世界人権宣言』 (README "Japanese charset coverage").
    assert!(m.text.contains("『世界人権宣言』"), "005.eml: {:?}", m.text);
    let att = load(
        &root,
        &format!("{ruby}/multi_charset/japanese_attachment.eml"),
    );
    let names: Vec<_> = att
        .attachments
        .iter()
        .filter_map(|a| a.name.clone())
        .collect();
    assert!(names.contains(&"てすと.txt".to_owned()), "{names:?}");
    let long = load(
        &root,
        &format!("{ruby}/multi_charset/japanese_attachment_long_name.eml"),
    );
    assert_eq!(long.subject, "まみむめも".repeat(10));
    let names: Vec<_> = long
        .attachments
        .iter()
        .filter_map(|a| a.name.clone())
        .collect();
    assert!(
        names.contains(&format!("{}.txt", "かきくけこ".repeat(5))),
        "{names:?}"
    );
}
