# shellcheck shell=bash
# SMTP sink for the mail tests: Python aiosmtpd (from PyPI, in a venv under
# ~/.cache/hikeshi/smtp-venv, installed on first use) on a free 127.0.0.1 port,
# writing every message it receives into a temporary folder (scripts/lib/smtp_sink.py).
# Source after common.sh, then call `hk_smtp_setup`. On success it exports
#   HIKESHI_TEST_SMTP_HOST, HIKESHI_TEST_SMTP_PORT   where to send (plain SMTP, AUTH offered)
#   HIKESHI_TEST_SMTP_USER, HIKESHI_TEST_SMTP_PASSWORD
#   HIKESHI_TEST_SMTP_DIR                            PORT-NNNNNN.eml + .json per message
#   HIKESHI_TEST_SMTP_STARTTLS_PORT   a second sink on 127.0.0.1 that requires STARTTLS
#   HIKESHI_TEST_SMTP_TLS_PORT        a third one speaking implicit TLS (like port 465)
#   HIKESHI_TEST_CA                   the CA that signed their certificate (testca.sh);
#                                     both TLS sinks require AUTH and write into the same folder
# With HIKESHI_TEST_SKIP_SMTP=1 it starts nothing and the mail tests say "skipped".

hk_smtp_setup() {
    if [[ -n "${HIKESHI_TEST_SKIP_SMTP:-}" ]]; then
        hk_notice "SMTP sink SKIPPED (HIKESHI_TEST_SKIP_SMTP=1): outbound mail tests will skip"
        unset HIKESHI_TEST_SMTP_HOST HIKESHI_TEST_SMTP_PORT HIKESHI_TEST_SMTP_DIR
        return 0
    fi
    local venv="${HK_SMTP_VENV:-${HOME:-/root}/.cache/hikeshi/smtp-venv}" t0=$SECONDS
    if ! "$venv/bin/python" -c 'import aiosmtpd' >/dev/null 2>&1; then
        command -v python3 >/dev/null 2>&1 || hk_apt_install python3 python3-venv
        python3 -m venv "$venv" >/dev/null 2>&1 || { hk_apt_install python3-venv; python3 -m venv "$venv"; }
        hk_log "pip install aiosmtpd into $venv"
        "$venv/bin/pip" install -q --disable-pip-version-check 'aiosmtpd==1.4.6' </dev/null ||
            hk_die "pip install aiosmtpd failed"
    fi
    local dir port sport tport
    hk_test_ca
    dir=$(mktemp -d /tmp/hikeshi-smtp.XXXXXX)
    hk_on_exit "rm -rf '$dir'"
    port=$(hk_free_port)
    hk__smtp_start "$venv" "$dir" "$port" plain
    sport=$(hk_free_port)
    hk__smtp_start "$venv" "$dir" "$sport" starttls
    tport=$(hk_free_port)
    hk__smtp_start "$venv" "$dir" "$tport" tls
    export HIKESHI_TEST_SMTP_STARTTLS_PORT=$sport HIKESHI_TEST_SMTP_TLS_PORT=$tport
    export HIKESHI_TEST_SMTP_HOST=127.0.0.1 HIKESHI_TEST_SMTP_PORT=$port HIKESHI_TEST_SMTP_DIR=$dir
    export HIKESHI_TEST_SMTP_USER=hikeshi-test HIKESHI_TEST_SMTP_PASSWORD=smtp-secret
    hk_log "SMTP sinks (aiosmtpd) on 127.0.0.1:$port (plain), :$sport (STARTTLS), :$tport (TLS) writing to $dir ($((SECONDS - t0))s)"
}

# hk__smtp_start VENV DIR PORT MODE: one sink, waited for until it says "ready".
hk__smtp_start() {
    local venv=$1 dir=$2 port=$3 mode=$4 pid _ log="$2.$3.log"
    "$venv/bin/python" "$HK_ROOT/scripts/lib/smtp_sink.py" --port "$port" --dir "$dir" \
        --user hikeshi-test --password smtp-secret --mode "$mode" \
        --cert "$HK_TEST_CERT" --key "$HK_TEST_KEY" >"$log" 2>&1 </dev/null &
    pid=$!
    hk_on_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f '$log'"
    for _ in $(seq 1 100); do
        grep -q ready "$log" 2>/dev/null && break
        kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; hk_die "SMTP sink ($mode) did not start"; }
        sleep 0.1
    done
    grep -q ready "$log" || hk_die "SMTP sink ($mode) did not start in 10 s"
}
