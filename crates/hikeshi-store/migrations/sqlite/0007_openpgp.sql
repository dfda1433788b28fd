-- OpenPGP: contacts' public keys (the keyring), the team key (its secret half sealed under a
-- key derived from the installation key), and what OpenPGP made of each inbound message
-- (`decrypted` holds the form that was parsed; empty when there is none).
CREATE TABLE pgp_keys (fingerprint TEXT PRIMARY KEY, user_ids TEXT NOT NULL, emails TEXT NOT NULL,
  created_at BIGINT NOT NULL, expires_at BIGINT, armored TEXT NOT NULL, added_by TEXT NOT NULL, added_at BIGINT NOT NULL);
CREATE TABLE pgp_team_key (id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, user_ids TEXT NOT NULL, emails TEXT NOT NULL,
  created_at BIGINT NOT NULL, expires_at BIGINT, armored TEXT NOT NULL, sealed_secret BLOB NOT NULL,
  added_by TEXT NOT NULL, added_at BIGINT NOT NULL);
CREATE TABLE mail_pgp (raw_id TEXT PRIMARY KEY, encrypted BIGINT NOT NULL, decrypted BLOB NOT NULL, decrypt_error TEXT,
  signature TEXT NOT NULL, signer TEXT);
