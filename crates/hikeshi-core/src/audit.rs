//! The tamper-evident audit chain (pure part).
//!
//! Writers append entries inside their own transaction with no sequence and no hash, so
//! concurrent writers on several nodes never wait for each other. A sealer later gives the
//! committed entries consecutive sequence numbers and chains them:
//! `hash(n) = SHA-256(hash(n-1) ‖ canonical(entry n))`. A checkpoint (last seq and hash)
//! catches a truncated tail. `verify` walks the chain and names the first bad entry.

use crate::model::AuditEntry;
use sha2::{Digest, Sha256};

/// The hash that precedes the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn field(h: &mut Sha256, s: &str) {
    h.update((s.len() as u64).to_be_bytes());
    h.update(s.as_bytes());
}

/// Hash of an entry given its predecessor's hash. Length-prefixed fields: no ambiguity.
pub fn entry_hash(prev: &str, seq: i64, e: &AuditEntry) -> String {
    let mut h = Sha256::new();
    field(&mut h, prev);
    h.update(seq.to_be_bytes());
    field(&mut h, &e.id.to_string());
    h.update(e.at.as_microsecond().to_be_bytes());
    field(&mut h, &e.actor);
    field(&mut h, &e.action);
    field(&mut h, e.target_kind.as_str());
    field(&mut h, &e.target_id);
    let json =
        |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string()).unwrap_or_default();
    field(&mut h, &json(&e.before));
    field(&mut h, &json(&e.after));
    hex::encode(h.finalize())
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Intact {
        entries: i64,
    },
    Broken {
        seq: i64,
        id: String,
        reason: String,
    },
}

/// Walks sealed entries in sequence order, with the checkpoint `(seq, hash)` if any.
/// Returns at the first inconsistency.
pub fn verify<'a>(
    entries: impl IntoIterator<Item = &'a AuditEntry>,
    checkpoint: Option<(i64, &str)>,
) -> Verdict {
    let mut prev = GENESIS.to_string();
    let mut expect_seq = 1;
    for e in entries {
        let id = e.id.to_string();
        let Some(seq) = e.seq else {
            return Verdict::Broken {
                seq: expect_seq,
                id,
                reason: "entry has no sequence".into(),
            };
        };
        if seq != expect_seq {
            return Verdict::Broken {
                seq: expect_seq,
                id,
                reason: format!("entry {expect_seq} is missing (next present is {seq})"),
            };
        }
        let want = entry_hash(&prev, seq, e);
        if e.hash.as_deref() != Some(want.as_str()) {
            return Verdict::Broken {
                seq,
                id,
                reason: "content or hash was altered".into(),
            };
        }
        prev = want;
        expect_seq += 1;
    }
    let last = expect_seq - 1;
    if let Some((cp_seq, cp_hash)) = checkpoint {
        if cp_seq > last {
            return Verdict::Broken {
                seq: last + 1,
                id: String::new(),
                reason: format!(
                    "entries {}..={cp_seq} were deleted (checkpoint is at {cp_seq})",
                    last + 1
                ),
            };
        }
        if cp_seq == last && cp_hash != prev && last > 0 {
            return Verdict::Broken {
                seq: last,
                id: String::new(),
                reason: "checkpoint hash does not match".into(),
            };
        }
    }
    Verdict::Intact { entries: last }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::AuditId;
    use crate::model::TargetKind;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let mut e = AuditEntry {
                    id: AuditId::new(seq as u64),
                    seq: Some(seq),
                    at: jiff::Timestamp::from_second(seq).unwrap(),
                    actor: "alice".into(),
                    action: "incident.create".into(),
                    target_kind: TargetKind::Incident,
                    target_id: format!("t{seq}"),
                    before: None,
                    after: Some(serde_json::json!({"title": "x"})),
                    hash: None,
                };
                let h = entry_hash(&prev, seq, &e);
                e.hash = Some(h.clone());
                prev = h;
                e
            })
            .collect()
    }

    #[test]
    fn intact_edited_deleted_truncated() {
        let c = chain(5);
        let cp = c[4].hash.clone().unwrap();
        assert_eq!(verify(&c, Some((5, &cp))), Verdict::Intact { entries: 5 });

        let mut edited = c.clone();
        edited[2].actor = "mallory".into();
        assert!(matches!(
            verify(&edited, None),
            Verdict::Broken { seq: 3, .. }
        ));

        let mut deleted = c.clone();
        deleted.remove(1);
        assert!(matches!(
            verify(&deleted, None),
            Verdict::Broken { seq: 2, .. }
        ));

        let truncated = &c[..3];
        assert!(matches!(
            verify(truncated, Some((5, &cp))),
            Verdict::Broken { seq: 4, .. }
        ));
    }
}
