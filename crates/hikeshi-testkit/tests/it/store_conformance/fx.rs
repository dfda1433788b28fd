//! Record builders for store-level tests. Timestamps are whole microseconds unless a test
//! says otherwise (both databases keep microseconds).

use hikeshi_core::access::Visibility;
use hikeshi_core::ids::*;
use hikeshi_core::model::*;
use hikeshi_core::ports::ListQuery;
use jiff::Timestamp;

pub fn t0() -> Timestamp {
    hikeshi_testkit::FixedClock::start()
}

pub fn at(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

pub fn ms(t: Timestamp) -> u64 {
    t.as_millisecond() as u64
}

pub fn audit(action: &str, kind: TargetKind, target: impl ToString) -> AuditEntry {
    AuditEntry {
        id: AuditId::new(ms(t0())),
        seq: None,
        at: t0(),
        actor: "tester".into(),
        action: action.into(),
        target_kind: kind,
        target_id: target.to_string(),
        before: None,
        after: Some(serde_json::json!({"k": "値"})),
        hash: None,
    }
}

pub fn constituency(slug: &str) -> Constituency {
    Constituency {
        id: ConstituencyId::new(ms(t0())),
        slug: slug.into(),
        name: format!("{slug} 株式会社"),
        parent: None,
        netblocks: vec![
            "192.0.2.0/24".parse().expect("cidr"),
            "2001:db8::/32".parse().expect("cidr"),
        ],
        domains: vec![format!("{slug}.example")],
        email_domains: vec![format!("mail.{slug}.example")],
        default_lang: Lang::Ja,
        contacts: vec![Contact {
            name: "山田".into(),
            email: Some("y@example.jp".into()),
            phone: None,
            role: Some("CSIRT".into()),
        }],
        created_at: t0(),
        updated_at: t0(),
        version: 1,
    }
}

pub fn user(name: &str, role: Role, cs: &[ConstituencyId]) -> User {
    User {
        id: UserId::new(ms(t0())),
        username: name.into(),
        display_name: format!("{name} さん"),
        email: Some(format!("{name}@example.jp")),
        role,
        global: false,
        constituencies: cs.to_vec(),
        password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()),
        disabled: false,
        created_at: t0(),
        version: 1,
    }
}

pub fn incident(
    title: &str,
    by: UserId,
    c: Option<ConstituencyId>,
    tlp: Tlp,
    created: Timestamp,
) -> Incident {
    Incident {
        id: IncidentId::new(ms(created)),
        reference: String::new(),
        title: title.into(),
        description: format!("{title} の詳細"),
        classification: Classification {
            rsit_class: Some("fraud".into()),
            rsit_type: Some("phishing".into()),
            jpcert_category: None,
        },
        severity: Severity::High,
        impact: Level::High,
        urgency: Level::Low,
        priority: 3,
        tlp,
        pap: Pap::Amber,
        constituency: c,
        owner: Some(by),
        status: IncidentStatus::Open,
        resolution: None,
        apt: true,
        due_at: Some(created),
        parent: None,
        merged_into: None,
        tags: vec!["タグ".into(), "tag".into()],
        named_users: vec![],
        created_by: by,
        created_at: created,
        updated_at: created,
        version: 1,
    }
}

pub fn report(subject: &str, by: UserId, c: Option<ConstituencyId>, created: Timestamp) -> Report {
    Report {
        id: ReportId::new(ms(created)),
        reference: String::new(),
        channel: Channel::Email,
        reporter: "reporter@example.jp".into(),
        reporter_type: ReporterType::Constituent,
        received_at: created,
        subject: subject.into(),
        content: format!("{subject} 本文"),
        status: ReportStatus::New,
        reject_reason: None,
        constituency: c,
        owner: None,
        tlp: Tlp::Amber,
        tags: vec![],
        incidents: vec![],
        named_users: vec![],
        created_by: by,
        created_at: created,
        updated_at: created,
        version: 1,
    }
}

pub fn vis(user: UserId, all: bool, cs: &[ConstituencyId], own_only: bool) -> Visibility {
    Visibility {
        user,
        all_constituencies: all,
        constituencies: cs.to_vec(),
        own_only,
    }
}

pub fn query(limit: i64) -> ListQuery {
    ListQuery {
        limit,
        ..Default::default()
    }
}
