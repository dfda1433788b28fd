//! Pure extraction and normalisation of indicators of compromise (IOCs) from text:
//! mail bodies, attachments' text, API and form input. No I/O, no clock, no global state
//! beyond the compiled-in public suffix list.
//!
//! [`extract`] returns every indicator occurrence as an [`Item`] (kind, normalised value,
//! character offsets into the original text). [`normalize`] canonicalises one value typed
//! by a human. The HTTP endpoint (`POST /api/v1/extract`) and `hikeshi extract` serialise
//! [`Item`] as `{"type", "value", "start", "end"}`.
//!
//! # Pipeline
//! 1. **Tokens.** The text is cut into runs of printable ASCII after NFKC. NFKC is applied
//!    character by character and only to non-ASCII characters, so pure ASCII text is never
//!    copied: `１９８．５１．１００．７` becomes `198.51.100.7`, while kana, kanji and CJK
//!    punctuation (`。`, `、`, `「」`, `【】`) end a token. The ideographic full stop `。` is
//!    therefore never a dot, and an indicator glued to Japanese text is still found.
//!    Each token keeps a map back to original character offsets.
//! 2. **Pre-filter.** Tokens without a digit, `.`, `:`, `@`, `/`, bracket, and shorter than
//!    32 bytes are skipped; each detector also runs only if its trigger bytes are present.
//! 3. **Re-fang** (case-insensitive): `hxxp`/`hxxps` → `http`/`https`; `[.]` `(.)` `{.}`
//!    `[dot]` `(dot)` `{dot}` → `.`; `[:]` → `:`; `[://]` → `://`; `[/]` → `/`; `[@]` `(@)`
//!    `{@}` `[at]` `(at)` `{at}` → `@`. Repeated until stable, so values are fully
//!    re-fanged. Forms spread over spaces (`example [.] com`, `user at example dot com`)
//!    are not re-fanged.
//! 4. **Detectors**, in this order; a later one never matches inside a range an earlier
//!    one took: URL, e-mail, IPv6, IPv4/CIDR, hashes, CVE, ASN, domain.
//!
//! # Semantics
//! - **Positions**: `start`/`end` count Unicode scalar values (chars) in the original
//!   text, `end` exclusive. A defanged `example[.]com` spans all 13 original chars.
//! - **Order and duplicates**: items are sorted by `start` (an enclosing item first);
//!   nothing is deduplicated, every occurrence is an item.
//! - **url**: schemes `http(s)`, `ftp(s)`, `sftp`, `ws(s)`, `ldap(s)`, `rmi`, `smb`, `tftp`,
//!   `ssh`, `telnet`, `rdp`, `irc`. Value: re-fanged, scheme and host lower-cased, IPv6
//!   host canonical; path, query and port kept as written. Ends at white space, at any
//!   non-ASCII character (`http://example.com/です` ends before `で`), at `<>"` and before
//!   trailing `.,;:!?'*` and closing brackets without an opening partner inside the URL.
//!   The host must be an IP or a valid domain, else there is no URL. A URL **also yields
//!   its host** as `domain`/`ipv4`/`ipv6` with the host's own positions. Nothing else is
//!   reported inside a URL (no hashes or domains from its path or query).
//! - **email**: `local@domain`, lower-cased as a whole; the domain must be valid. An
//!   e-mail **also yields its domain** as a `domain` item.
//! - **domain**: ASCII labels (letters, digits, `-`, `_`; punycode `xn--` allowed), at
//!   least two, lower-cased, trailing dot dropped. The name must end in a suffix of the
//!   public suffix list and own a label beyond it (`co.jp` alone is not a domain,
//!   `github.io` is). File names such as `report.pdf` or `invoice.exe` fail this check.
//!   TLDs that are also file extensions (`zip`, `mov`, `one`, `app`, `py`, `sh`, `so`, `md`, ...,
//!   see `FILE_EXT_TLDS` in `domain.rs`) are only reported for a bare two-label name if
//!   its token was defanged (`evil[.]zip`); with three labels or more, as a URL host or
//!   an e-mail domain they always are. A name directly followed by `(` (`obj.name(`) is code.
//!   Unicode (IDN) names are not extracted; their punycode form is.
//! - **ipv4**: dotted decimal; leading zeros are read as decimal and dropped
//!   (`010.001.002.003` → `10.1.2.3`). Not when glued to a word or another dot group
//!   (`v10.3.2.1`, `1.2.3.4.5`, `1.2.3.4.example`), nor after a version word
//!   (`version`, `ver`, `v`, `rev`, `build`, `release`, `firmware`, `fw`, `バージョン`, `版`,
//!   optionally followed by `:`/`=`).
//! - **ipv6**: anything `std` parses, rendered in RFC 5952 form (`2001:DB8:0::1` →
//!   `2001:db8::1`, `::ffff:192.0.2.1` kept mixed). A zone id (`fe80::1%eth0`) is dropped
//!   from the value and the span. The unspecified address `::` and `Foo::bar` paths are
//!   not reported; `IPv6:2001:db8::1` is.
//! - **cidr**: `address/prefix` (≤ 32 or ≤ 128) yields one `cidr` item and no separate IP;
//!   host bits are kept (`198.51.100.7/24` stays as written, canonical address).
//! - **md5/sha1/sha256/sha512**: a whole run of 32/40/64/128 hex digits, lower-cased, not
//!   glued to a letter, digit or `_` (so never part of a longer hex string, nor `0x…`),
//!   with at least one digit and one letter.
//! - **cve**: `CVE-YYYY-NNNN` (4–10 digits, year ≥ 1999), any case in, upper case out.
//! - **asn**: `AS64500`, `ASN64500`, `ASN:64500`, `AS-64500` (any case), and across white
//!   space `ASN 64500`, `(ASN 64500)` or `AS 64500` (upper-case `AS` only: "as 2" is
//!   English). Value
//!   `AS64500`, range 1..=4294967295. asdot (`AS1.10`) is not recognised.
//!
//! # Updating the public suffix list
//! The list is compiled in by the [`psl`](https://docs.rs/psl) crate, which is released
//! whenever the upstream list changes: `cargo update -p psl` refreshes it at build time.
//! An installation can also use a newer file at run time without a new release:
//! [`use_suffix_list`] with the contents of `public_suffix_list.dat` (the server reads the
//! file named by `public_suffix_list` in its configuration; `hikeshi extract --suffix-list`).
//!
//! # Invariants
//! - No I/O, no clock; the same text always gives the same items. The only state is the
//!   suffix list, set at most once at start-up.
//! - Never panics on any input (property tested; fuzz target in `fuzz/`).
//! - Linear time in the input length, also on adversarial input (tested with ~400 KB
//!   single tokens); pure ASCII text is never copied or normalised.
//! - It does not deduplicate, rank, enrich or store indicators: callers do.

mod context;
mod domain;
mod email;
mod ip;
mod kind;
mod refang;
mod scan;
mod simple;
mod token;
mod url;

pub use domain::use_suffix_list;
pub use kind::{Item, Kind};

/// Items in order of start position; start/end are offsets in Unicode scalar values
/// (chars) into the ORIGINAL input text, end exclusive.
pub fn extract(text: &str) -> Vec<Item> {
    scan::run(text, false)
}

/// Normalise one value given by a human (e.g. "hxxp://evil[.]com", "2001:DB8::1") to its
/// canonical form and kind; None if it is no indicator.
///
/// The value may be surrounded by white space and punctuation (`<evil.com>.`), but not by
/// other words. The heuristics for free text (file-name TLDs, version strings) are off,
/// so `evil.zip` is a domain here. If several items fit, the longest wins (a URL rather
/// than its host).
pub fn normalize(value: &str) -> Option<(Kind, String)> {
    let chars: Vec<char> = value.chars().collect();
    let bare = |from: usize, to: usize| {
        chars
            .get(from..to)
            .is_some_and(|cs| cs.iter().all(|c| !c.is_alphanumeric()))
    };
    scan::run(value, true)
        .into_iter()
        .filter(|it| bare(0, it.start) && bare(it.end, chars.len()))
        .max_by_key(|it| it.end - it.start)
        .map(|it| (it.kind, it.value))
}
