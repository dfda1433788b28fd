//! Table cases: hash.

use super::check;

#[test]
fn hash() {
    check(
        "d41d8cd98f00b204e9800998ecf8427e",
        &["md5:d41d8cd98f00b204e9800998ecf8427e@0..32"],
    );
    check(
        "da39a3ee5e6b4b0d3255bfef95601890afd80709",
        &["sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709@0..40"],
    );
    check(
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        &["sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855@0..64"],
    );
    check(
        "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
        &[
            "sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e@0..128",
        ],
    );
    check(
        "D41D8CD98F00B204E9800998ECF8427E",
        &["md5:d41d8cd98f00b204e9800998ecf8427e@0..32"],
    );
    check("d41d8cd98f00b204e9800998ecf8427ea", &[]);
    check(
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8550",
        &[],
    );
    check("0xd41d8cd98f00b204e9800998ecf8427e", &[]);
    check(
        "md5:d41d8cd98f00b204e9800998ecf8427e",
        &["md5:d41d8cd98f00b204e9800998ecf8427e@4..36"],
    );
    check(
        "MD5=D41D8CD98F00B204E9800998ECF8427E;",
        &["md5:d41d8cd98f00b204e9800998ecf8427e@4..36"],
    );
    check("11111111111111111111111111111111", &[]);
    check(
        "sha1(da39a3ee5e6b4b0d3255bfef95601890afd80709)",
        &["sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709@5..45"],
    );
    check("x_d41d8cd98f00b204e9800998ecf8427e", &[]);
    check("d41d8cd98f00b204e9800998ecf8427eg", &[]);
    check(
        "d41d8cd98f00b204e9800998ecf8427e da39a3ee5e6b4b0d3255bfef95601890afd80709",
        &[
            "md5:d41d8cd98f00b204e9800998ecf8427e@0..32",
            "sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709@33..73",
        ],
    );
    check(
        "d41d8cd98f00b204e9800998ecf8427e-da39a3ee5e6b4b0d3255bfef95601890afd80709",
        &[
            "md5:d41d8cd98f00b204e9800998ecf8427e@0..32",
            "sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709@33..73",
        ],
    );
    check("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &[]);
    check("da39a3ee5e6b4b0d3255bfef95601890afd8070", &[]);
    check(
        "ファイルda39a3ee5e6b4b0d3255bfef95601890afd80709を検出",
        &["sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709@4..44"],
    );
}
