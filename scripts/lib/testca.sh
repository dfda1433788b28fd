# shellcheck shell=bash
# A throw-away certificate authority for the TLS tests of the mail services: a CA and one
# server certificate for 127.0.0.1 / localhost signed by it (openssl, installed from Debian
# when missing). Made once per test run in a temporary folder, deleted on exit.
# Source after common.sh, then call `hk_test_ca`. It exports
#   HIKESHI_TEST_CA          the CA certificate (PEM) clients are configured to trust
#   HK_TEST_CERT, HK_TEST_KEY  the server certificate and its key (for the servers only)

hk_test_ca() {
    [[ -n "${HK_TEST_CERT:-}" && -f "$HK_TEST_CERT" ]] && return 0
    command -v openssl >/dev/null 2>&1 || hk_apt_install openssl
    local dir
    dir=$(mktemp -d /tmp/hikeshi-ca.XXXXXX)
    chmod 0755 "$dir"
    hk_on_exit "rm -rf '$dir'"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
        -subj "/CN=Hikeshi test CA" -keyout "$dir/ca.key" -out "$dir/ca.pem" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        >/dev/null 2>&1 || hk_die "openssl: making the test CA failed"
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -subj "/CN=127.0.0.1" -keyout "$dir/server.key" -out "$dir/server.csr" \
        >/dev/null 2>&1 || hk_die "openssl: making the server key failed"
    printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
        "extendedKeyUsage=serverAuth" "subjectAltName=IP:127.0.0.1,DNS:localhost" >"$dir/server.ext"
    openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
        -CAcreateserial -days 2 -extfile "$dir/server.ext" -out "$dir/server.pem" \
        >/dev/null 2>&1 || hk_die "openssl: signing the server certificate failed"
    chmod 0644 "$dir/server.key"
    export HIKESHI_TEST_CA=$dir/ca.pem HK_TEST_CERT=$dir/server.pem HK_TEST_KEY=$dir/server.key
    hk_log "test CA in $dir (server certificate for 127.0.0.1)"
}
