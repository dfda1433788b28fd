# shellcheck shell=bash
# Browser tests of the web UI: headless Chromium (Debian's) driven by playwright-core.
#
# Source after common.sh, then call `hk_browser_tests`; it returns node's exit status.
# It installs Chromium (chromium.sh) and Japanese fonts if missing, runs `npm ci` in
# tests/browser, builds `hikeshi` (same CARGO_TARGET_DIR as scripts/test.sh), starts
# `hikeshi serve` on a free port with a throw-away data directory, seeds users and
# constituencies with the CLI, runs `node --test`, and stops the server.
# Screenshots go to test-artifacts/screenshots/, the server log to
# test-artifacts/browser-server.log.
# Skip with HIKESHI_TEST_SKIP_CHROMIUM=1 (returns 0, loudly).

hk_browser_tests() {
    local root status port dir bin log pid t0 i
    root=${HK_ROOT:-$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)}
    t0=$SECONDS
    # shellcheck source=scripts/lib/chromium.sh
    source "$root/scripts/lib/chromium.sh"
    hk_chromium_setup
    if [[ -z "${HIKESHI_TEST_CHROMIUM:-}" ]]; then
        hk_notice "browser tests SKIPPED (no Chromium)"
        return 0
    fi
    if command -v fc-list >/dev/null 2>&1 && [[ -z "$(fc-list :lang=ja 2>/dev/null)" ]]; then
        hk_log "no Japanese font; installing fonts-noto-cjk (screenshots would show boxes)"
        hk_apt_install fonts-noto-cjk
    fi
    command -v node >/dev/null 2>&1 || { hk_warn "node not found: cannot run browser tests"; return 1; }
    (cd "$root/tests/browser" && { npm ci --no-audit --no-fund --loglevel=error || npm install --no-audit --no-fund --loglevel=error; }) ||
        { hk_warn "npm ci failed in tests/browser"; return 1; }

    export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${HOME:-/root}/.cache/hikeshi/target}"
    (cd "$root" && cargo build -p hikeshi) || { hk_warn "cargo build -p hikeshi failed"; return 1; }
    bin="$CARGO_TARGET_DIR/debug/hikeshi"

    dir=$(mktemp -d "${TMPDIR:-/tmp}/hikeshi-browser.XXXXXX")
    mkdir -p "$root/test-artifacts/screenshots"
    log="$root/test-artifacts/browser-server.log"
    local admin_pw="admin-$RANDOM-$RANDOM-pw" user_pw="handler-$RANDOM-$RANDOM-pw"
    for i in 1 2 3 4 5; do
        port=$(hk_free_port)
        HIKESHI_ADMIN_PASSWORD="$admin_pw" "$bin" serve --listen "127.0.0.1:$port" --data "$dir" >"$log" 2>&1 &
        pid=$!
        for _ in $(seq 1 100); do
            if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$pid" 2>/dev/null && break
        hk_warn "server did not start on port $port (attempt $i); see $log"
    done
    if ! kill -0 "$pid" 2>/dev/null; then
        rm -rf "$dir"
        return 1
    fi
    hk_on_exit "kill $pid 2>/dev/null; rm -rf '$dir'"
    hk_log "hikeshi serve on 127.0.0.1:$port (pid $pid, data $dir)"
    # Seed after the first start, which creates the admin (only into an empty database).
    local db=(--data "$dir")
    if ! { "$bin" constituency add a --name "Constituency A" "${db[@]}" &&
        "$bin" constituency add b --name "Constituency B" "${db[@]}" &&
        printf '%s\n' "$user_pw" | "$bin" user add alice --role handler --constituency a "${db[@]}" &&
        printf '%s\n' "$user_pw" | "$bin" user add bob --role handler --constituency b "${db[@]}"; } >/dev/null; then
        hk_warn "seeding users and constituencies failed"
        kill "$pid" 2>/dev/null || true
        return 1
    fi

    status=0
    (cd "$root/tests/browser" &&
        HIKESHI_TEST_URL="http://127.0.0.1:$port" \
        HIKESHI_TEST_ADMIN_PASSWORD="$admin_pw" \
        HIKESHI_TEST_PASSWORD="$user_pw" \
        HIKESHI_TEST_SCREENSHOTS="$root/test-artifacts/screenshots" \
        node --test --test-concurrency=1 ./*.test.mjs) || status=$?
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -rf "$dir"
    hk_log "browser tests finished in $((SECONDS - t0))s with status $status (screenshots: test-artifacts/screenshots/)"
    return "$status"
}
