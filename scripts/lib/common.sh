# shellcheck shell=bash
# Shared helpers for scripts/test.sh and the service files in scripts/lib/.
# Source it; don't execute it. Everything here is prefixed `hk_`.
#
#   hk_log / hk_warn / hk_die   messages on stderr, prefixed with the script name
#   hk_notice                   a loud, boxed notice (for "you are NOT testing X")
#   hk_on_exit CMD              register a cleanup; all run in reverse order on
#                               any exit (normal, error, Ctrl-C, SIGTERM, SIGHUP)
#   hk_apt_install PKG...       apt-get install, non-interactive; runs
#                               `apt-get update` once per script run first
#   hk_free_port                print a free TCP port on 127.0.0.1

HK_SCRIPT_NAME=${HK_SCRIPT_NAME:-$(basename -- "$0")}

hk_log()  { printf '%s: %s\n' "$HK_SCRIPT_NAME" "$*" >&2; }
hk_warn() { printf '%s: WARNING: %s\n' "$HK_SCRIPT_NAME" "$*" >&2; }
hk_die()  { printf '%s: ERROR: %s\n' "$HK_SCRIPT_NAME" "$*" >&2; exit 1; }

hk_notice() {
    local line
    printf '%s\n' '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!' >&2
    for line in "$@"; do printf '!!! %s\n' "$line" >&2; done
    printf '%s\n' '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!' >&2
}

# Milliseconds since the epoch (for timing setup steps).
hk_now_ms() { date +%s%3N; }

hk_is_ci() { [[ -n "${CI:-}" && "${CI}" != "false" && "${CI}" != "0" ]]; }

# ---------------------------------------------------------------------------
# Cleanup registry. One EXIT trap for the whole script; services add to it.
# INT/TERM/HUP are turned into an exit so the EXIT trap always runs.
# (Only SIGKILL escapes it; postgres.sh reaps clusters left by such runs.)
# ---------------------------------------------------------------------------
HK_CLEANUPS=()

hk_on_exit() { HK_CLEANUPS+=("$1"); }

hk__run_cleanups() {
    local status=$? i
    trap - EXIT INT TERM HUP
    set +e
    for ((i = ${#HK_CLEANUPS[@]} - 1; i >= 0; i--)); do
        eval "${HK_CLEANUPS[i]}"
    done
    exit "$status"
}
trap hk__run_cleanups EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---------------------------------------------------------------------------
# Packages
# ---------------------------------------------------------------------------
hk_as_root() {
    if [[ ${EUID:-$(id -u)} -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n -- "$@" || hk_die "need root for: $* (sudo -n failed; run it yourself or as root)"
    else
        hk_die "need root for: $*"
    fi
}

HK_APT_UPDATED=${HK_APT_UPDATED:-0}

hk_apt_install() {
    local apt_opts=(-o DPkg::Lock::Timeout=300 -o Acquire::Retries=3 -o Dpkg::Use-Pty=0)
    local t0=$SECONDS
    command -v apt-get >/dev/null 2>&1 ||
        hk_die "apt-get not found: install these yourself: $*"
    if [[ $HK_APT_UPDATED != 1 ]]; then
        hk_log "apt-get update"
        hk_as_root env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" -qq update </dev/null ||
            hk_die "apt-get update failed"
        HK_APT_UPDATED=1
    fi
    hk_log "apt-get install $*"
    hk_as_root env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" -y -q \
        --no-install-recommends install "$@" </dev/null ||
        hk_die "apt-get install $* failed"
    hk_log "installed $* in $((SECONDS - t0))s"
}

# ---------------------------------------------------------------------------
# Ports: bind port 0 on loopback and let the kernel choose. The socket is
# closed again, so callers that bind later must retry on "address in use".
# ---------------------------------------------------------------------------
hk_free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
        return
    fi
    # Fallback without python3: a random high port nobody answers on.
    local port i
    for i in $(seq 1 50); do
        port=$((20000 + RANDOM % 12000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
    hk_die "could not find a free port on 127.0.0.1"
}
