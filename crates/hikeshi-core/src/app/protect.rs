//! Outbound OpenPGP: THE one place a message is protected before it leaves
//! ([`App::protect_outbound`], called by `send_outbound` between the mailer's build and
//! send), and the check a handler's mail passes before anything is written
//! ([`App::check_protection`]).
//!
//! What a message needs comes from `outbound::protection_for(tlp)`:
//! - with a team key installed every message is signed (PGP/MIME `multipart/signed`);
//! - it is signed and encrypted (`multipart/encrypted`, to every recipient and to the team
//!   key) when every recipient has a valid key in the keyring — acknowledgements included;
//! - encryption is required for TLP:AMBER, AMBER+STRICT and RED: without a team key or with a
//!   recipient without a key the mail is refused — at the API (422, nothing written), and
//!   again when the job sends it (a key removed meanwhile: the job dies, the message is
//!   `failed`, never sent in clear);
//! - without a team key, TLP:CLEAR and GREEN mail goes out unsigned.

use super::App;
use crate::error::{Error, Result};
use crate::outbound::Protection;

const NO_TEAM_KEY: &str = "TLP:AMBER and above must be signed and encrypted, and no team key \
                           is installed; install one with `hikeshi key import --team`";

/// How a message left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sealed {
    /// As built: no team key, and encryption not required.
    Plain,
    /// PGP/MIME signed with the team key.
    Signed,
    /// PGP/MIME signed and encrypted to every recipient and the team key.
    Encrypted,
}

impl App {
    /// Refuses, before anything is written, a message whose protection cannot be met:
    /// encryption required and no team key (field `tlp`) or a recipient without a valid key
    /// (field `field`, naming every such address).
    pub async fn check_protection(
        &self,
        recipients: &[String],
        p: Protection,
        field: &str,
    ) -> Result<()> {
        if !p.encrypt_required {
            return Ok(());
        }
        if self.store.team_key().await?.is_none() {
            return Err(Error::validation("tlp", NO_TEAM_KEY));
        }
        self.required_keys(recipients, field).await.map(|_| ())
    }

    async fn required_keys(
        &self,
        recipients: &[String],
        field: &str,
    ) -> Result<Vec<hikeshi_pgp::PublicKey>> {
        self.recipient_keys(recipients).await.map_err(|e| match e {
            Error::Validation { message, .. } => Error::validation(
                field,
                format!("TLP:AMBER and above must be encrypted: {message}"),
            ),
            other => other,
        })
    }

    /// Protects a built RFC 5322 message for its recipients (To and Cc) as `p` demands:
    /// see the module documentation. With `subject` (the message's), an encrypted message
    /// also gets header protection (RFC 9788): the real Subject travels inside, the one seen
    /// in transit keeps only the leading `[…]` tags (TLP mark, reference) and `[...]`.
    /// Errors are permanent (`Validation`): a job that meets one dies rather than sending
    /// in clear.
    pub async fn protect_outbound(
        &self,
        message: &[u8],
        recipients: &[String],
        p: Protection,
        subject: Option<&str>,
    ) -> Result<(Vec<u8>, Sealed)> {
        let team = self.team_secret_key().await?;
        let keys = if p.encrypt_required {
            if team.is_none() {
                return Err(Error::validation("tlp", NO_TEAM_KEY));
            }
            Some(self.required_keys(recipients, "to").await?)
        } else {
            self.recipient_keys(recipients).await.ok()
        };
        let now = self.now().as_second();
        let pgp = |e: hikeshi_pgp::Error| Error::validation("key", e.to_string());
        match (team, keys) {
            (Some(team), Some(keys)) => match subject {
                Some(s) => hikeshi_pgp::sign_and_encrypt_protected(
                    message,
                    &keys,
                    &team,
                    now,
                    &outer_subject(s),
                ),
                None => hikeshi_pgp::sign_and_encrypt(message, &keys, &team, now),
            }
            .map(|b| (b, Sealed::Encrypted))
            .map_err(pgp),
            (Some(team), None) if p.sign => hikeshi_pgp::sign(message, &team, now)
                .map(|b| (b, Sealed::Signed))
                .map_err(pgp),
            _ => Ok((message.to_vec(), Sealed::Plain)),
        }
    }
}

/// The Subject an encrypted message shows in transit: its leading `[…]` groups (the TLP mark
/// and the reference tag, which route replies) and `[...]` for the rest.
pub fn outer_subject(subject: &str) -> String {
    let mut rest = subject.trim_start();
    let mut keep = String::new();
    while let Some(r) = rest.strip_prefix('[') {
        let Some(end) = r.find(']') else { break };
        keep.push_str(&rest[..end + 2]);
        keep.push(' ');
        rest = r[end + 1..].trim_start();
    }
    keep + "[...]"
}

#[cfg(test)]
mod tests {
    use super::outer_subject;

    #[test]
    fn outer_subject_keeps_only_the_tags() {
        for (s, want) in [
            (
                "[TLP:AMBER] [Hikeshi #2026-0042] Re: ACME breach",
                "[TLP:AMBER] [Hikeshi #2026-0042] [...]",
            ),
            (
                "[Hikeshi #R2026-0001] 受付のお知らせ: 件名",
                "[Hikeshi #R2026-0001] [...]",
            ),
            ("No tags here", "[...]"),
            ("[unclosed tag", "[...]"),
        ] {
            assert_eq!(outer_subject(s), want, "{s}");
        }
    }
}
