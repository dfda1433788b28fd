//! OpenPGP cost per message, beside the MIME parse every message gets anyway (baseline,
//! measured in the same run over the same messages). Prints one JSON line.
//! Run: `cargo bench -p hikeshi-pgp --bench pgp`.

use std::hint::black_box;
use std::time::Instant;

const JA: &str = "不正アクセスの報告です。サーバ 192.0.2.10 から攻撃を受けました。";
const N: usize = 500;
const NOW: i64 = 1_790_000_000;

fn message(i: usize) -> Vec<u8> {
    let body = JA.repeat(20 + (i * 37) % 400);
    format!(
        "From: r{i}@partner.example.jp\r\nTo: cert@team.example\r\nSubject: report {i}\r\n\
         Message-ID: <{i}@partner.example.jp>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

fn rate(n: usize, f: impl FnMut()) -> f64 {
    let mut f = f;
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let team = hikeshi_pgp::generate("CSIRT <cert@team.example>", NOW, None).expect("team");
    let alice = hikeshi_pgp::generate("Alice <alice@partner.example.jp>", NOW, None).expect("a");
    let ring = vec![alice.public()];
    let plain: Vec<Vec<u8>> = (0..N).map(message).collect();
    let bytes: usize = plain.iter().map(Vec::len).sum();
    let signed: Vec<Vec<u8>> = plain
        .iter()
        .map(|m| hikeshi_pgp::sign(m, &alice, NOW).expect("sign"))
        .collect();
    let encrypted: Vec<Vec<u8>> = plain
        .iter()
        .map(|m| hikeshi_pgp::sign_and_encrypt(m, &[team.public()], &alice, NOW).expect("enc"))
        .collect();

    let mut it = plain.iter().cycle();
    let parse = rate(N, || {
        black_box(hikeshi_mail::parse(black_box(it.next().expect("cycle"))));
    });
    let mut it = plain.iter().cycle();
    let precheck = rate(N, || {
        assert!(!hikeshi_pgp::inbound::looks_like_pgp(black_box(
            it.next().expect("cycle")
        )));
    });
    let mut it = signed.iter().cycle();
    let verify = rate(N, || {
        let r = hikeshi_pgp::process_inbound(it.next().expect("cycle"), &ring, None, NOW);
        assert_eq!(r.verification.status, hikeshi_pgp::SigStatus::Good);
    });
    let mut it = encrypted.iter().cycle();
    let decrypt = rate(N, || {
        let r = hikeshi_pgp::process_inbound(it.next().expect("cycle"), &ring, Some(&team), NOW);
        assert!(r.inner.is_some());
    });
    let mut it = plain.iter().cycle();
    let sign = rate(N, || {
        black_box(hikeshi_pgp::sign(it.next().expect("cycle"), &team, NOW).expect("sign"));
    });
    let mut it = plain.iter().cycle();
    let rcpt = [alice.public()];
    let encrypt = rate(N, || {
        black_box(
            hikeshi_pgp::sign_and_encrypt(it.next().expect("cycle"), &rcpt, &team, NOW)
                .expect("enc"),
        );
    });
    let armored = team.public().armored().expect("armor");
    let key_parse = rate(N, || {
        black_box(hikeshi_pgp::PublicKey::parse(armored.as_bytes()).expect("key"));
    });
    println!(
        "{{\"bench\":\"hikeshi-pgp\",\"messages\":{N},\"avg_bytes\":{},\
\"baseline_mime_parse_per_sec\":{parse:.0},\"precheck_plain_per_sec\":{precheck:.0},\
\"verify_pgp_mime_per_sec\":{verify:.0},\"decrypt_and_verify_per_sec\":{decrypt:.0},\
\"sign_per_sec\":{sign:.0},\"sign_and_encrypt_per_sec\":{encrypt:.0},\"key_parse_per_sec\":{key_parse:.0}}}",
        bytes / N
    );
}
