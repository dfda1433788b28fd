#!/usr/bin/env bash
# shellcheck shell=bash
# Chromium + ChromeDriver for browser tests, from Debian's packages
# (chromium, chromium-driver: /usr/bin/chromium, /usr/bin/chromedriver).
# A test tool's own browser download cannot work here (no network but the
# package registries), so tests must use these binaries.
#
# Source after common.sh, then call `hk_chromium_setup`. Exports
#   HIKESHI_TEST_CHROMIUM=/usr/bin/chromium
#   HIKESHI_TEST_CHROMEDRIVER=/usr/bin/chromedriver
#   HIKESHI_TEST_CHROMIUM_FLAGS=<flags every headless launch should use>
# Skip with HIKESHI_TEST_SKIP_CHROMIUM=1 (browser tests then must skip loudly).
#
# Can also be run directly to install/check: `bash scripts/lib/chromium.sh`.

hk_chromium_setup() {
    if [[ "${HIKESHI_TEST_SKIP_CHROMIUM:-0}" == 1 ]]; then
        unset HIKESHI_TEST_CHROMIUM HIKESHI_TEST_CHROMEDRIVER HIKESHI_TEST_CHROMIUM_FLAGS
        hk_notice "HIKESHI_TEST_SKIP_CHROMIUM=1: browser tests are SKIPPED."
        return 0
    fi
    if [[ ! -x /usr/bin/chromium || ! -x /usr/bin/chromedriver ]]; then
        hk_log "chromium/chromedriver not found; installing from Debian"
        # fonts-liberation: chromium only Recommends it, and without any
        # Latin fonts screenshots are boxes.
        hk_apt_install chromium chromium-driver fonts-liberation
    fi
    local v d
    v=$(/usr/bin/chromium --version 2>/dev/null) || hk_die "/usr/bin/chromium does not run"
    d=$(/usr/bin/chromedriver --version 2>/dev/null) || hk_die "/usr/bin/chromedriver does not run"
    export HIKESHI_TEST_CHROMIUM=/usr/bin/chromium
    export HIKESHI_TEST_CHROMEDRIVER=/usr/bin/chromedriver
    # --no-sandbox: CI runs as root. The background-networking flags stop
    # Chromium dialling Google, which this machine's closed network refuses.
    export HIKESHI_TEST_CHROMIUM_FLAGS="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync --disable-dev-shm-usage"
    hk_log "browser: $v; ${d%% (*}"
}

# Run directly: install/check and print what tests would get.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    HK_SCRIPT_NAME=chromium.sh
    # shellcheck source=scripts/lib/common.sh
    source "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"
    hk_chromium_setup
    env | grep '^HIKESHI_TEST_CHROM' | sort
fi
