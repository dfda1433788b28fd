//! Parses a generated mix of 10,000 messages (sizes, charsets, attachments,
//! forwards, bounces) and prints one JSON line: messages/s and MB/s, with
//! baselines measured in the same run over the same bytes (a newline count
//! and SHA-256). Run: `cargo bench -p hikeshi-mail --bench parse`.

use std::hint::black_box;
use std::time::Instant;

use base64::Engine;
use encoding_rs::{EUC_JP, ISO_2022_JP, SHIFT_JIS};
use sha2::{Digest, Sha256};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> usize {
        (self.next() % n) as usize
    }
}

const JA: &str = "不正アクセスの報告です。添付のログをご確認ください。①㈱～ ";
const EN: &str = "We observed scanning from 192.0.2.10 against our web servers. ";

fn b64_lines(bytes: &[u8]) -> String {
    let enc = base64::engine::general_purpose::STANDARD.encode(bytes);
    enc.as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8_lossy(c).into_owned() + "\r\n")
        .collect()
}

fn word(charset: &str, bytes: &[u8]) -> String {
    let enc = base64::engine::general_purpose::STANDARD.encode(bytes);
    format!("=?{charset}?B?{enc}?=")
}

fn head(i: usize, subject: &str, extra: &str) -> String {
    format!(
        "Return-Path: <r{i}@example.net>\r\nReceived: from mx.example.net by mx.example.jp; Tue, 3 Feb 2026 10:00:00 +0900\r\n\
From: Reporter {i} <r{i}@example.net>\r\nTo: cert@example.jp\r\nSubject: {subject}\r\n\
Date: Tue, 3 Feb 2026 10:00:00 +0900\r\nMessage-ID: <{i}@example.net>\r\nMIME-Version: 1.0\r\n{extra}"
    )
}

fn message(i: usize, rng: &mut Rng) -> Vec<u8> {
    let reps = 5 + rng.below(60);
    match i % 8 {
        0 => [
            head(i, "Scan report", "Content-Type: text/plain; charset=us-ascii\r\n\r\n").into_bytes(),
            EN.repeat(reps).into_bytes(),
        ]
        .concat(),
        1 => [
            head(i, &word("ISO-2022-JP", &ISO_2022_JP.encode("[Hikeshi #2026-0042] 不正アクセス").0),
                "Content-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n").into_bytes(),
            ISO_2022_JP.encode(&JA.repeat(reps)).0.into_owned(),
        ]
        .concat(),
        2 => [
            head(i, &word("Shift_JIS", &SHIFT_JIS.encode("報告").0),
                "Content-Type: text/plain; charset=cp932\r\nContent-Transfer-Encoding: 8bit\r\n\r\n").into_bytes(),
            SHIFT_JIS.encode(&JA.repeat(reps)).0.into_owned(),
        ]
        .concat(),
        3 => {
            let body = b64_lines(&EUC_JP.encode(&JA.repeat(reps)).0);
            head(i, "EUC", &format!("Content-Type: text/plain; charset=EUC-JP\r\nContent-Transfer-Encoding: base64\r\n\r\n{body}")).into_bytes()
        }
        4 => {
            let html = format!("<html><style>p{{}}</style><body><p>{}</p><a href=\"http://evil.example/{i}\">login</a></body></html>", EN.repeat(reps));
            head(i, "HTML only", &format!("Content-Type: text/html; charset=utf-8\r\n\r\n{html}")).into_bytes()
        }
        5 => {
            let size = 2_000 + rng.below(200_000);
            let att: Vec<u8> = (0..size).map(|_| rng.next() as u8).collect();
            let body = format!(
                "--a\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n\
--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>{}</p>\r\n--b--\r\n\
--a\r\nContent-Type: application/octet-stream; name=\"log{i}.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}--a--\r\n",
                JA.repeat(reps), JA.repeat(reps), b64_lines(&att)
            );
            head(i, "with attachment", &format!("Content-Type: multipart/mixed; boundary=a\r\n\r\n{body}")).into_bytes()
        }
        6 => {
            let inner = [
                format!("From: phish@bad.example\r\nSubject: {}\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n\r\n",
                    word("ISO-2022-JP", &ISO_2022_JP.encode("アカウント確認").0)).into_bytes(),
                ISO_2022_JP.encode(&JA.repeat(reps)).0.into_owned(),
            ]
            .concat();
            [
                head(i, "Fwd: phishing", "Content-Type: multipart/mixed; boundary=f\r\n\r\n--f\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--f\r\nContent-Type: message/rfc822\r\n\r\n").into_bytes(),
                inner,
                b"\r\n--f--\r\n".to_vec(),
            ]
            .concat()
        }
        _ => head(i, "Undelivered Mail", "Content-Type: multipart/report; report-type=delivery-status; boundary=r\r\n\r\n\
--r\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--r\r\nContent-Type: message/delivery-status\r\n\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n\
--r\r\nContent-Type: text/rfc822-headers\r\n\r\nSubject: x\r\n--r--\r\n").into_bytes(),
    }
}

fn main() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let corpus: Vec<Vec<u8>> = (0..10_000).map(|i| message(i, &mut rng)).collect();
    let bytes: usize = corpus.iter().map(Vec::len).sum();
    let mb = bytes as f64 / 1_000_000.0;

    // Warm-up, then the timed run.
    for raw in corpus.iter().take(200) {
        black_box(hikeshi_mail::parse(raw));
    }
    let start = Instant::now();
    let (mut attachments, mut forwarded, mut auto) = (0usize, 0usize, 0usize);
    for raw in &corpus {
        let m = hikeshi_mail::parse(black_box(raw));
        attachments += m.attachments.len();
        forwarded += m.forwarded.len();
        auto += usize::from(m.auto_generated.is_some());
    }
    let parse_secs = start.elapsed().as_secs_f64();

    let start = Instant::now();
    let lines: usize = corpus
        .iter()
        .map(|raw| black_box(raw).iter().filter(|b| **b == b'\n').count())
        .sum();
    let count_secs = start.elapsed().as_secs_f64();

    let start = Instant::now();
    for raw in &corpus {
        black_box(Sha256::digest(black_box(raw)));
    }
    let sha_secs = start.elapsed().as_secs_f64();

    println!(
        "{{\"bench\":\"hikeshi-mail parse\",\"messages\":{},\"bytes\":{bytes},\"attachments\":{attachments},\
\"forwarded\":{forwarded},\"auto_generated\":{auto},\"parse_secs\":{parse_secs:.3},\
\"messages_per_sec\":{:.0},\"mb_per_sec\":{:.1},\"baseline_newline_count_mb_per_sec\":{:.1},\
\"baseline_sha256_mb_per_sec\":{:.1},\"lines\":{lines}}}",
        corpus.len(),
        corpus.len() as f64 / parse_secs,
        mb / parse_secs,
        mb / count_secs,
        mb / sha_secs,
    );
}
