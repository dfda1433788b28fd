#!/usr/bin/env bash
# THE test command for Hikeshi:   ./scripts/test.sh [extra cargo test args]
# CI runs exactly this (via .ci/run) as root, with no stdin, CI=true.
#
# What it does, in order:
#   1. cargo settings: CARGO_TARGET_DIR defaults to ~/.cache/hikeshi/target
#      (outside the clone, so fresh CI clones reuse the build);
#      CARGO_TERM_COLOR=never under CI.
#   2. services, one file each in scripts/lib/ (installed on first use from
#      Debian's packages, fast no-ops when present):
#        testca.sh     throw-away CA + 127.0.0.1 certificate (HIKESHI_TEST_CA) for TLS
#        smtp.sh       aiosmtpd SMTP sinks, plain/STARTTLS/TLS (HIKESHI_TEST_SMTP_*)
#        imap.sh       dovecot IMAP server (HIKESHI_TEST_IMAP_*), for IMAP polling
#        postgres.sh   throw-away PostgreSQL cluster on a free 127.0.0.1 port,
#                      exported as HIKESHI_TEST_DATABASE_URL; stopped and
#                      deleted on exit, whatever the exit path.
#   3. cargo test --workspace --no-fail-fast "$@", exit with its status.
#
# Environment knobs:
#   HIKESHI_TEST_SKIP_PG=1   no PostgreSQL: tests run on SQLite only (loudly).
#   HIKESHI_TEST_CMD='...'   DEBUGGING AID: run this bash command instead of
#                            cargo test, with the services up and the same
#                            environment; extra script args become $1, $2...
#                            e.g. HIKESHI_TEST_CMD='psql "$HIKESHI_TEST_DATABASE_URL" -c "select version()"' ./scripts/test.sh
#   CARGO_TARGET_DIR         overrides the cached target dir.
#
# Tests decide which databases to use from the environment: SQLite always;
# PostgreSQL when HIKESHI_TEST_DATABASE_URL is set (a superuser URL - tests
# CREATE DATABASE their own databases from it and drop them afterwards).
set -euo pipefail

HK_SCRIPT_NAME=test.sh
HK_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd "$HK_ROOT"

# shellcheck source=scripts/lib/common.sh
source "$HK_ROOT/scripts/lib/common.sh"
# shellcheck source=scripts/lib/postgres.sh
source "$HK_ROOT/scripts/lib/postgres.sh"
# shellcheck source=scripts/lib/testca.sh
source "$HK_ROOT/scripts/lib/testca.sh"
# shellcheck source=scripts/lib/smtp.sh
source "$HK_ROOT/scripts/lib/smtp.sh"
# shellcheck source=scripts/lib/imap.sh
source "$HK_ROOT/scripts/lib/imap.sh"
# Later services, each in scripts/lib/NAME.sh with its own HIKESHI_TEST_SKIP_*:
#   chromium.sh  (written; browser tests)  -> hk_chromium_setup, called below
#   smtp.sh      (aiosmtpd SMTP sink), imap.sh (dovecot IMAP): mail tests
#   pyenv.sh     (Python venv with the validators)

T0=$SECONDS

# --- 1. cargo -----------------------------------------------------------------
if ! command -v cargo >/dev/null 2>&1 && [[ -x "${HOME:-/root}/.cargo/bin/cargo" ]]; then
    export PATH="${HOME:-/root}/.cargo/bin:$PATH"
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${HOME:-/root}/.cache/hikeshi/target}"
mkdir -p "$CARGO_TARGET_DIR"
if hk_is_ci; then
    export CARGO_TERM_COLOR=never
fi

# --- 2. services ----------------------------------------------------------------
hk_pg_setup
hk_smtp_setup
hk_imap_setup
# Chromium, node packages and the UI server are set up by hk_browser_tests below.

# --- 3. tests -------------------------------------------------------------------
if [[ -n "${HIKESHI_TEST_CMD:-}" ]]; then
    HK_CMD=(bash -c "$HIKESHI_TEST_CMD" hikeshi-test-cmd "$@")
    HK_CMD_DESC="HIKESHI_TEST_CMD: $HIKESHI_TEST_CMD${*:+ (args: $*)}"
else
    command -v cargo >/dev/null 2>&1 || hk_die "cargo not found on PATH (nor in ~/.cargo/bin)"
    HK_CMD=(cargo test --workspace --no-fail-fast "$@")
    HK_CMD_DESC="${HK_CMD[*]}"
fi

{
    echo "=============================================================================="
    echo " Hikeshi test run — databases under test:"
    echo "   * SQLite      (in-process, always)"
    if [[ -n "${HIKESHI_TEST_DATABASE_URL:-}" ]]; then
        echo "   * PostgreSQL  $HK_PG_VERSION at $HIKESHI_TEST_DATABASE_URL"
        echo "                 (throw-away cluster in $HK_PG_DIR; pg_trgm + UTF-8 ctype checked)"
    else
        echo "   * PostgreSQL  SKIPPED (HIKESHI_TEST_SKIP_PG=1): SQLite ONLY"
    fi
    echo " command:          $HK_CMD_DESC"
    echo " CARGO_TARGET_DIR: $CARGO_TARGET_DIR"
    echo " service setup took $((SECONDS - T0))s"
    echo "=============================================================================="
}

set +e
"${HK_CMD[@]}"
HK_STATUS=$?
set -e

# --- 4. browser tests of the web UI (headless Chromium), after the cargo suite --------
if [[ -z "${HIKESHI_TEST_CMD:-}" ]]; then
    # shellcheck source=scripts/lib/browser.sh
    source "$HK_ROOT/scripts/lib/browser.sh"
    set +e
    hk_browser_tests
    HK_BROWSER_STATUS=$?
    set -e
    if [[ $HK_BROWSER_STATUS -ne 0 ]]; then
        hk_log "browser tests FAILED (exit $HK_BROWSER_STATUS)"
        [[ $HK_STATUS -ne 0 ]] || HK_STATUS=$HK_BROWSER_STATUS
    fi
fi
if [[ $HK_STATUS -ne 0 ]]; then
    hk_log "tests FAILED (exit $HK_STATUS)"
    hk_pg_save_log "$HK_ROOT/test-artifacts/postgres.log" || true
fi
exit "$HK_STATUS"
