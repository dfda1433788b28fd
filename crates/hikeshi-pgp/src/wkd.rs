//! Web Key Directory (draft-koch-openpgp-webkey-service), direct method: a key for
//! `local@domain` is served at `/.well-known/openpgpkey/hu/<hash>` where `<hash>` is the
//! z-base-32 encoded SHA-1 of the lower-cased local part.

use sha1::{Digest, Sha1};

const ZBASE32: &[u8; 32] = b"ybndrfg8ejkmcpqxot1uwisza345h769";

fn zbase32(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len() * 8 / 5 + 1);
    let (mut buf, mut bits) = (0u32, 0u32);
    for &b in data {
        buf = (buf << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ZBASE32[((buf >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ZBASE32[((buf << (5 - bits)) & 31) as usize]));
    }
    out
}

/// The WKD hash of an address's local part (`Joe.Doe@example.org` → `iy9q119e…`).
pub fn hash(local_part: &str) -> String {
    zbase32(&Sha1::digest(local_part.to_lowercase().as_bytes()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn draft_test_vector() {
        // From draft-koch-openpgp-webkey-service §3.1.
        assert_eq!(super::hash("Joe.Doe"), "iy9q119eutrkn8s1mk4r39qejnbu3n5q");
    }
}
