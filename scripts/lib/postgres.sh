# shellcheck shell=bash
# PostgreSQL for the test suite: a throw-away cluster on a free loopback port.
# Source after common.sh, then call `hk_pg_setup`.
#
# On success it exports
#   HIKESHI_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:PORT/postgres
# (trust auth, superuser; tests CREATE DATABASE their own databases from it)
# and sets HK_PG_VERSION / HK_PG_DIR / HK_PG_PORT for the banner.
#
# With HIKESHI_TEST_SKIP_PG=1 it starts nothing, unsets
# HIKESHI_TEST_DATABASE_URL and says loudly that only SQLite is tested.
#
# It does not use the Debian cluster machinery (pg_ctlcluster, systemd,
# /etc/postgresql): it runs initdb/pg_ctl from /usr/lib/postgresql/VER/bin
# directly, as the `postgres` OS user when we are root. The cluster lives in
# /tmp/hikeshi-pg.XXXXXX and is stopped and deleted on every exit path; a
# cluster left behind by a SIGKILLed run is reaped by the next run.

HK_PG_BIN=""
HK_PG_VERSION=""
HK_PG_DIR=""
HK_PG_PORT=""

# Newest /usr/lib/postgresql/VER that has both initdb and pg_trgm.
hk__pg_find() {
    local bin ver best="" bestver=0
    for bin in /usr/lib/postgresql/*/bin/initdb; do
        [[ -x "$bin" ]] || continue
        ver=${bin#/usr/lib/postgresql/}
        ver=${ver%%/*}
        [[ "$ver" =~ ^[0-9]+$ ]] || continue
        [[ -f "/usr/share/postgresql/$ver/extension/pg_trgm.control" ]] || continue
        if ((ver > bestver)); then
            bestver=$ver
            best=${bin%/initdb}
        fi
    done
    [[ -n "$best" ]] || return 1
    HK_PG_BIN=$best
}

hk_pg_ensure_installed() {
    if ! hk__pg_find; then
        hk_log "PostgreSQL server (initdb + pg_trgm) not found; installing from Debian"
        hk_apt_install postgresql postgresql-contrib
        hk__pg_find || hk_die "PostgreSQL installed, but no /usr/lib/postgresql/*/bin/initdb with /usr/share/postgresql/*/extension/pg_trgm.control"
    fi
    if [[ ${EUID:-$(id -u)} -eq 0 ]] && ! id -u postgres >/dev/null 2>&1; then
        hk_log "creating the 'postgres' OS user"
        useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home \
            --shell /bin/sh postgres || hk_die "could not create the postgres user"
    fi
}

# Run a server binary as the cluster owner: `postgres` when we are root
# (the server refuses to run as root), ourselves otherwise. The cwd is the
# cluster dir, so an unreadable cwd (e.g. under /root) never bothers it.
hk__pg_as_owner() {
    local dir=$1
    shift
    if [[ ${EUID:-$(id -u)} -eq 0 ]]; then
        (cd "$dir" && runuser -u postgres -- "$@")
    else
        (cd "$dir" && "$@")
    fi
}

# Stop a cluster dir and delete it. Safe to call on half-made dirs.
hk__pg_destroy() {
    local dir=$1 pid
    [[ -n "$dir" && -d "$dir" ]] || return 0
    if [[ -f "$dir/data/postmaster.pid" ]]; then
        hk__pg_as_owner "$dir" "$HK_PG_BIN/pg_ctl" -D "$dir/data" stop -m immediate -w -t 30 \
            >/dev/null 2>&1 || true
        # pg_ctl could not stop it: SIGQUIT (= immediate shutdown) the postmaster.
        if [[ -f "$dir/data/postmaster.pid" ]]; then
            pid=$(head -n1 "$dir/data/postmaster.pid" 2>/dev/null || true)
            if [[ "$pid" =~ ^[0-9]+$ ]] && [[ -d /proc/$pid ]]; then
                kill -QUIT "$pid" 2>/dev/null || true
                sleep 1
            fi
        fi
    fi
    rm -rf -- "$dir" 2>/dev/null || hk_warn "could not remove $dir"
}

# Clusters from runs that died without cleaning up (SIGKILL, power loss):
# each dir records the PID of the test.sh that made it; if that process is
# gone, stop the server and delete the dir. Live runs are left alone.
hk__pg_reap_stale() {
    local dir owner
    for dir in /tmp/hikeshi-pg.*; do
        [[ -d "$dir" ]] || continue
        owner=$(cat "$dir/owner.pid" 2>/dev/null || true)
        if [[ "$owner" =~ ^[0-9]+$ ]]; then
            [[ -d /proc/$owner ]] && continue
        else
            # No owner recorded yet: being set up right now, unless it is old.
            [[ -n "$(find "$dir" -maxdepth 0 -mmin +10 2>/dev/null)" ]] || continue
        fi
        hk_log "reaping stale PostgreSQL test cluster $dir (owner PID ${owner:-?} is gone)"
        hk__pg_destroy "$dir"
    done
}

hk__pg_start() {
    local dir=$1 attempt port opts t0 t_initdb
    t0=$(hk_now_ms)
    hk__pg_as_owner "$dir" "$HK_PG_BIN/initdb" -D "$dir/data" -E UTF8 --locale=C.UTF-8 --no-sync \
        -A trust -U postgres >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        hk_die "initdb failed (log above)"
    }
    t_initdb=$(($(hk_now_ms) - t0))
    for attempt in 1 2 3; do
        port=$(hk_free_port)
        opts="-c listen_addresses=127.0.0.1 -p $port -k $dir"
        opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        opts+=" -c max_connections=300"
        t0=$(hk_now_ms)
        if hk__pg_as_owner "$dir" "$HK_PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" \
            -o "$opts" -w -t 60 start >/dev/null 2>&1; then
            HK_PG_PORT=$port
            # pg_ctl -w already waited; make sure TCP on our port answers.
            local _
            for _ in $(seq 1 60); do
                "$HK_PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -t 2 && break
                sleep 0.5
            done
            "$HK_PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -t 2 || {
                tail -n 30 "$dir/postgres.log" >&2 || true
                hk_die "PostgreSQL started but is not accepting connections on 127.0.0.1:$port"
            }
            hk_log "PostgreSQL $HK_PG_VERSION up on 127.0.0.1:$port (initdb ${t_initdb} ms, start $(($(hk_now_ms) - t0)) ms, dir $dir)"
            return 0
        fi
        # Lost the race for the port (or worse): show why, then retry.
        hk_warn "PostgreSQL failed to start on port $port (attempt $attempt):"
        tail -n 20 "$dir/postgres.log" >&2 || true
        hk__pg_as_owner "$dir" "$HK_PG_BIN/pg_ctl" -D "$dir/data" stop -m immediate \
            >/dev/null 2>&1 || true
    done
    hk_die "PostgreSQL did not start after 3 attempts (log: $dir/postgres.log, removed on exit)"
}

# Fail loudly unless pg_trgm loads and classifies non-ASCII letters (needs a
# UTF-8 ctype; with a C ctype show_trgm('日本語') is empty and trigram search
# silently stops working for non-Latin text).
hk__pg_verify() {
    local psql=("$HK_PG_BIN/psql" -X -w -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$HK_PG_PORT" -U postgres)
    local db=hikeshi_selfcheck out
    export PGCLIENTENCODING=UTF8 PGCONNECT_TIMEOUT=10
    "${psql[@]}" -d postgres -c "CREATE DATABASE $db" </dev/null ||
        hk_die "could not create scratch database $db"
    out=$("${psql[@]}" -d "$db" -At <<'SQL'
CREATE EXTENSION pg_trgm;
SELECT current_setting('server_encoding') || ' ' || current_setting('lc_ctype') || ' '
    || coalesce(array_length(show_trgm('日本語'), 1), 0);
SQL
    ) || hk_die "CREATE EXTENSION pg_trgm failed in $db (is postgresql-contrib installed?)"
    "${psql[@]}" -d postgres -c "DROP DATABASE $db" </dev/null >/dev/null || true
    local enc ctype ntrgm
    read -r enc ctype ntrgm <<<"$out"
    [[ "$enc" == "UTF8" ]] || hk_die "cluster encoding is '$enc', want UTF8"
    [[ "$ntrgm" =~ ^[0-9]+$ && "$ntrgm" -gt 0 ]] ||
        hk_die "show_trgm('日本語') is empty (lc_ctype=$ctype): pg_trgm cannot index non-ASCII text"
    hk_log "PostgreSQL self-check OK: pg_trgm loads, encoding $enc, lc_ctype $ctype, show_trgm('日本語') has $ntrgm trigrams"
}

# Copy the server log out of the cluster dir (which is deleted on exit),
# e.g. after a failed run: `hk_pg_save_log test-artifacts/postgres.log`.
hk_pg_save_log() {
    local dest=$1
    [[ -n "$HK_PG_DIR" && -f "$HK_PG_DIR/postgres.log" ]] || return 0
    mkdir -p "$(dirname -- "$dest")" && cp "$HK_PG_DIR/postgres.log" "$dest" &&
        hk_log "PostgreSQL server log saved to $dest"
}

hk_pg_setup() {
    if [[ "${HIKESHI_TEST_SKIP_PG:-0}" == 1 ]]; then
        unset HIKESHI_TEST_DATABASE_URL
        hk_notice "HIKESHI_TEST_SKIP_PG=1: PostgreSQL is SKIPPED." \
            "Tests run on SQLite ONLY; every PostgreSQL code path goes untested." \
            "Do not treat a green run like this as a full pass."
        return 0
    fi
    if [[ -n "${HIKESHI_TEST_DATABASE_URL:-}" ]]; then
        hk_warn "ignoring HIKESHI_TEST_DATABASE_URL from the environment; starting a throw-away cluster"
    fi
    hk_pg_ensure_installed
    HK_PG_VERSION=$("$HK_PG_BIN/postgres" --version | awk '{print $3}')
    hk__pg_reap_stale

    HK_PG_DIR=$(mktemp -d /tmp/hikeshi-pg.XXXXXX)
    # Registered before anything can fail, so the dir never outlives us.
    # shellcheck disable=SC2016  # expanded when the cleanup runs
    hk_on_exit 'hk__pg_destroy "$HK_PG_DIR"'
    echo "$$" >"$HK_PG_DIR/owner.pid"
    chmod 700 "$HK_PG_DIR"
    if [[ ${EUID:-$(id -u)} -eq 0 ]]; then
        chown postgres:postgres "$HK_PG_DIR"
    fi

    hk__pg_start "$HK_PG_DIR"
    export HIKESHI_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$HK_PG_PORT/postgres"
    hk__pg_verify
}
