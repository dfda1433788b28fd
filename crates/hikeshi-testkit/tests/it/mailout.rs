//! Outbound mail against a real SMTP server (aiosmtpd from `scripts/lib/smtp.sh`), and the
//! job queue, on every backend: acknowledgement of a Japanese report, replies threaded back
//! by In-Reply-To, loop protection, correspondence to reporters and third parties, retries.

use crate::api::{ok, problem, s};
use axum::http::StatusCode;
use hikeshi_core::access::Actor;
use hikeshi_core::outbound::{Job, OutboundSettings};
use hikeshi_jobs::{RunStats, Runner, SmtpMailer};
use hikeshi_mail::send::SmtpSettings;
use hikeshi_testkit::mail::smtp_sink;
use hikeshi_testkit::{Backend, TestApp, for_each_backend};
use jiff::SignedDuration;
use serde_json::json;
use std::sync::Arc;

const REPORT_JA: &[u8] = include_bytes!("fixtures/report-iso2022jp.eml");
const REPLY_JA: &[u8] = include_bytes!("fixtures/reply-iso2022jp.eml");

pub(crate) fn settings() -> OutboundSettings {
    OutboundSettings {
        from: "cert@team.example".into(),
        team: "Team CSIRT".into(),
        our_addresses: vec!["@team.example".into()],
        ..Default::default()
    }
}

/// A per-test, per-backend address so tests sharing the sink never see each other's mail.
pub(crate) fn addr(test: &str, b: Backend, who: &str) -> String {
    format!("{who}.{test}.{b:?}@example.jp").to_ascii_lowercase()
}

fn fill(fixture: &[u8], vars: &[(&str, &str)]) -> Vec<u8> {
    let mut text = fixture.to_vec();
    for (k, v) in vars {
        let needle = k.as_bytes();
        let mut out = Vec::with_capacity(text.len());
        let mut i = 0;
        while i < text.len() {
            if text[i..].starts_with(needle) {
                out.extend_from_slice(v.as_bytes());
                i += needle.len();
            } else {
                out.push(text[i]);
                i += 1;
            }
        }
        text = out;
    }
    text
}

pub(crate) fn plain(from: &str, subject: &str, extra: &str, msgid: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: cert@team.example\r\nSubject: {subject}\r\nMessage-ID: <{msgid}>\r\n{extra}\r\nHello, see below.\r\n"
    )
    .into_bytes()
}

pub(crate) async fn ingest(t: &TestApp, raw: &[u8]) -> hikeshi_core::app::Landed {
    let admin: Actor = t.admin_actor().await;
    t.app
        .ingest_mail(&admin, raw, "test", "Hikeshi")
        .await
        .expect("ingest")
}

#[tokio::test]
async fn japanese_report_gets_one_ack_and_the_reply_lands_on_it() {
    let Some(sink) = smtp_sink("japanese_report_gets_one_ack_and_the_reply_lands_on_it") else {
        return;
    };
    for_each_backend(move |t| {
        let sink = sink.clone();
        async move {
            let t = t.with_outbound(settings());
            let from = addr("ackja", t.backend, "taro");
            let landed = ingest(
                &t,
                &fill(
                    REPORT_JA,
                    &[("__FROM__", &from), ("__MSGID__", "orig-1@example.jp")],
                ),
            )
            .await;
            assert_eq!(landed.kind, "report");
            // Enqueued in the same transaction as the report, not yet sent.
            let pending = t.store_jobs(Some("pending")).await;
            assert_eq!(pending.len(), 1, "{pending:?}");
            assert!(sink.received_for(&from).is_empty());
            let stats = sink.runner(&t).run_pending().await.expect("run");
            assert_eq!(
                stats,
                RunStats {
                    done: 1,
                    retried: 0,
                    dead: 0
                }
            );
            // Running again sends nothing more (idempotent).
            assert_eq!(
                sink.runner(&t).run_pending().await.expect("run"),
                RunStats::default()
            );
            let got = sink.received_for(&from);
            assert_eq!(got.len(), 1, "exactly one acknowledgement");
            let ack = &got[0];
            assert_eq!(ack.mail_from, "cert@team.example");
            assert_eq!(ack.auth, sink.settings.username, "sent with SMTP AUTH");
            let tag = format!("[Hikeshi #{}]", landed.reference);
            assert!(
                ack.parsed.subject.starts_with(&tag),
                "{}",
                ack.parsed.subject
            );
            assert!(
                ack.parsed
                    .subject
                    .contains("受付のお知らせ: 不正アクセスの報告"),
                "{}",
                ack.parsed.subject
            );
            assert!(
                ack.parsed
                    .text
                    .contains(&format!("受付番号 {}", landed.reference)),
                "{}",
                ack.parsed.text
            );
            assert_eq!(
                ack.parsed.in_reply_to,
                vec!["orig-1@example.jp".to_string()]
            );
            assert!(ack.parsed.is_auto_generated(), "acks say Auto-Submitted");
            let raw_text = String::from_utf8_lossy(&ack.raw);
            assert!(
                raw_text.contains("=?utf-8?b?") || raw_text.contains("=?UTF-8?B?"),
                "{raw_text}"
            );
            // The reporter answers the ack without the tag: In-Reply-To routes it.
            let ack_id = ack.parsed.message_id.clone().expect("ack has a Message-ID");
            t.clock.advance(SignedDuration::from_mins(30));
            let reply = ingest(
                &t,
                &fill(
                    REPLY_JA,
                    &[
                        ("__FROM__", &from),
                        ("__MSGID__", "reply-1@example.jp"),
                        ("__INREPLYTO__", &ack_id),
                        ("__REFS__", &format!("orig-1@example.jp> <{ack_id}")),
                    ],
                ),
            )
            .await;
            assert_eq!(
                (reply.kind.as_str(), reply.reference.as_str()),
                ("reply", landed.reference.as_str())
            );
            let tok = t.admin_token().to_string();
            let entries = ok(
                t.get(
                    &format!("/api/v1/reports/{}/entries", landed.reference),
                    &tok,
                )
                .await,
                StatusCode::OK,
            );
            let dirs: Vec<String> = entries
                .as_array()
                .expect("list")
                .iter()
                .map(|e| s(&e["direction"]))
                .collect();
            assert_eq!(dirs, vec!["out", "in"], "{entries}");
            assert!(
                entries[1]["body"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("追加情報です")
            );
            // A reply does not get acknowledged.
            assert_eq!(
                sink.runner(&t).run_pending().await.expect("run"),
                RunStats::default()
            );
            assert_eq!(sink.received_for(&from).len(), 1);
        }
    })
    .await;
}

#[tokio::test]
async fn no_ack_for_machines_or_ourselves_and_acks_are_rate_limited() {
    let Some(sink) = smtp_sink("no_ack_for_machines_or_ourselves_and_acks_are_rate_limited") else {
        return;
    };
    for_each_backend(move |t| {
        let sink = sink.clone();
        async move {
            let t = t.with_outbound(settings());
            let bot = addr("loop", t.backend, "bot");
            ingest(
                &t,
                &plain(
                    &bot,
                    "Out of office",
                    "Auto-Submitted: auto-replied\r\n",
                    "a1@x",
                ),
            )
            .await;
            ingest(
                &t,
                &plain(&bot, "Newsletter", "Precedence: bulk\r\n", "a2@x"),
            )
            .await;
            ingest(
                &t,
                &plain("handler@team.example", "Note to self", "", "a3@x"),
            )
            .await;
            assert!(
                t.store_jobs(None).await.is_empty(),
                "nothing queued for machines or us"
            );
            let person = addr("loop", t.backend, "person");
            for i in 0..5 {
                ingest(
                    &t,
                    &plain(&person, &format!("Report {i}"), "", &format!("p{i}@x")),
                )
                .await;
                sink.runner(&t).run_pending().await.expect("run");
            }
            assert_eq!(
                sink.received_for(&person).len(),
                3,
                "three per sender per hour"
            );
            t.clock.advance(SignedDuration::from_mins(61));
            ingest(&t, &plain(&person, "Report later", "", "p9@x")).await;
            sink.runner(&t).run_pending().await.expect("run");
            assert_eq!(sink.received_for(&person).len(), 4, "the limit is per hour");
            assert!(sink.received_for(&bot).is_empty());
        }
    })
    .await;
}

#[tokio::test]
async fn handlers_write_to_reporters_and_third_parties_threaded_and_tlp_marked() {
    let Some(sink) =
        smtp_sink("handlers_write_to_reporters_and_third_parties_threaded_and_tlp_marked")
    else {
        return;
    };
    for_each_backend(move |t| {
        let sink = sink.clone();
        async move {
            let t = t.with_outbound(OutboundSettings { acknowledge: false, ..settings() });
            let tok = t.admin_token().to_string();
            let from = addr("corr", t.backend, "alice");
            let landed = ingest(&t, &plain(&from, "Phishing site", "", "first@example.jp")).await;
            let sent = ok(
                t.post(
                    &format!("/api/v1/reports/{}/mail", landed.reference),
                    &tok,
                    json!({"to": "reporter", "body": "Could you send the full headers?", "lang": "en", "tlp": "green"}),
                )
                .await,
                StatusCode::ACCEPTED,
            );
            assert_eq!((sent["status"].clone(), sent["to"].clone()), (json!("queued"), json!([from])));
            assert!(sink.received_for(&from).is_empty(), "sent by the job, not the request");
            assert_eq!(sink.runner(&t).run_pending().await.expect("run").done, 1);
            let got = sink.received_for(&from);
            assert_eq!(got.len(), 1);
            let m = &got[0].parsed;
            // GREEN: no team key is installed here, so it leaves unsigned (mailpgp.rs covers AMBER).
            assert_eq!(m.subject, format!("[TLP:GREEN] [Hikeshi #{}] Re: Phishing site", landed.reference));
            assert_eq!(m.in_reply_to, vec!["first@example.jp".to_string()]);
            assert!(m.references.contains(&"first@example.jp".to_string()));
            assert!(m.text.contains("Could you send the full headers?"), "{}", m.text);
            assert!(!m.is_auto_generated());
            let ours = s(&sent["message_id"]);
            assert_eq!(m.message_id.as_deref(), Some(ours.as_str()));
            let listed = ok(t.get(&format!("/api/v1/reports/{}/mail", landed.reference), &tok).await, StatusCode::OK);
            assert_eq!(listed[0]["status"], json!("sent"));
            // Their answer quotes our Message-ID only in References.
            let answer = plain(&from, "headers", &format!("References: <{ours}>\r\n"), "ans@example.jp");
            let r = ingest(&t, &answer).await;
            assert_eq!((r.kind.as_str(), r.reference.as_str()), ("reply", landed.reference.as_str()));

            // Third party, on an investigation of an incident made from the report.
            let inc = ok(
                t.post("/api/v1/incidents", &tok, json!({"title": "Phishing", "reports": [landed.id], "tlp": "green"})).await,
                StatusCode::CREATED,
            );
            let host = addr("corr", t.backend, "abuse");
            let inv = ok(
                t.post(
                    &format!("/api/v1/incidents/{}/investigations", s(&inc["ref"])),
                    &tok,
                    json!({"title": "Takedown request", "correspondents": [host]}),
                )
                .await,
                StatusCode::CREATED,
            );
            problem(
                &t.post(
                    &format!("/api/v1/incidents/{}/mail", s(&inc["ref"])),
                    &tok,
                    json!({"to": "third_party", "addresses": ["not an address"], "body": "x"}),
                )
                .await,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("addresses"),
            );
            let sent = ok(
                t.post(
                    &format!("/api/v1/incidents/{}/mail", s(&inc["ref"])),
                    &tok,
                    json!({"to": "third_party", "investigation": inv["id"], "body": "Please take down the site."}),
                )
                .await,
                StatusCode::ACCEPTED,
            );
            assert_eq!(sent["to"], json!([host]));
            sink.runner(&t).run_pending().await.expect("run");
            let got = sink.received_for(&host);
            assert_eq!(got.len(), 1);
            assert!(got[0].parsed.subject.starts_with(&format!("[TLP:GREEN] [Hikeshi #{}]", s(&inc["ref"]))), "{}", got[0].parsed.subject);
            let theirs = got[0].parsed.message_id.clone().expect("id");
            let r = ingest(&t, &plain(&host, "Done", &format!("In-Reply-To: <{theirs}>\r\n"), "done@isp.example")).await;
            assert_eq!((r.kind.as_str(), r.id.as_str()), ("reply", inv["id"].as_str().unwrap_or_default()));
        }
    })
    .await;
}

#[tokio::test]
async fn jobs_retry_with_backoff_then_die() {
    for_each_backend(|t| async move {
        let t = t.with_outbound(settings());
        // Nothing listens on port 9 of loopback: every attempt fails (temporarily).
        let mailer = SmtpMailer::new(&SmtpSettings {
            host: "127.0.0.1".into(),
            port: 9,
            security: "none".into(),
            ..Default::default()
        })
        .expect("settings");
        let runner = Runner::new(t.app.clone(), Arc::new(mailer));
        let landed = ingest(&t, &plain("bob@example.org", "Help", "", "b1@example.org")).await;
        let first = runner.run_pending().await.expect("run");
        assert_eq!(
            first,
            RunStats {
                done: 0,
                retried: 1,
                dead: 0
            }
        );
        // Not due again before the backoff has passed.
        assert_eq!(
            runner.run_pending().await.expect("run"),
            RunStats::default()
        );
        let j = &t.store_jobs(Some("pending")).await[0];
        assert_eq!(j.attempts, 1);
        assert!(
            j.last_error.as_deref().unwrap_or_default().contains("smtp"),
            "{j:?}"
        );
        let mut retried = 1;
        for _ in 0..20 {
            t.clock.advance(SignedDuration::from_hours(7));
            let s = runner.run_pending().await.expect("run");
            retried += s.retried;
            if s.dead == 1 {
                break;
            }
        }
        let dead = t.store_jobs(Some("dead")).await;
        assert_eq!(dead.len(), 1, "dead after max attempts");
        assert_eq!(dead[0].attempts, dead[0].max_attempts);
        assert_eq!(retried as i64, dead[0].max_attempts - 1);
        let ack = t
            .app
            .store
            .get_outbound(&format!("ack-{}", landed.id))
            .await
            .expect("read")
            .expect("the acknowledgement was recorded");
        assert_eq!(ack.status, "failed", "a dead job leaves its message failed");
    })
    .await;
}

#[tokio::test]
async fn jobs_are_claimed_once_across_concurrent_runners_and_deduplicated() {
    for_each_backend(|t| async move {
        let now = t.app.now();
        let jobs: Vec<Job> = (0..40)
            .map(|i| Job {
                id: format!("job-{i:03}"),
                kind: "test.noop".into(),
                payload: json!({}),
                dedupe_key: Some(format!("k{}", i % 20)),
                status: "pending".into(),
                attempts: 0,
                max_attempts: 3,
                run_at: now,
                last_error: None,
                created_at: now,
            })
            .collect();
        t.app.store.enqueue_jobs(&jobs).await.expect("enqueue");
        assert_eq!(
            t.store_jobs(None).await.len(),
            20,
            "dedupe keys keep one job each"
        );
        let lease = now.checked_add(SignedDuration::from_mins(5)).expect("time");
        let mut tasks = Vec::new();
        for _ in 0..4 {
            let store = t.app.store.clone();
            tasks.push(tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let got = store.claim_jobs(now, lease, 3).await.expect("claim");
                    if got.is_empty() {
                        return mine;
                    }
                    mine.extend(got.into_iter().map(|j| j.id));
                }
            }));
        }
        let mut all: Vec<String> = Vec::new();
        for task in tasks {
            all.extend(task.await.expect("task"));
        }
        all.sort();
        let n = all.len();
        all.dedup();
        assert_eq!((n, all.len()), (20, 20), "each job claimed exactly once");
        // A lease that runs out (a node died) makes the job claimable again.
        t.clock.advance(SignedDuration::from_mins(6));
        let later = t.app.now();
        let again = t
            .app
            .store
            .claim_jobs(
                later,
                later.checked_add(SignedDuration::from_mins(5)).expect("t"),
                100,
            )
            .await
            .expect("claim");
        assert_eq!(again.len(), 20);
        assert!(again.iter().all(|j| j.attempts == 2));
    })
    .await;
}

pub(crate) trait Jobs {
    async fn store_jobs(&self, status: Option<&str>) -> Vec<Job>;
}

impl Jobs for TestApp {
    async fn store_jobs(&self, status: Option<&str>) -> Vec<Job> {
        self.app.store.list_jobs(status, 1000).await.expect("jobs")
    }
}
