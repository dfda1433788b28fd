# shellcheck shell=bash
# IMAP server for the mail intake tests: Debian's dovecot (dovecot-imapd, installed on
# first use), started from a temporary configuration on a free 127.0.0.1 port, plain
# LOGIN allowed (loopback only), one test user whose maildir the tests write into.
# Source after common.sh, then call `hk_imap_setup`. On success it exports
#   HIKESHI_TEST_IMAP_HOST, HIKESHI_TEST_IMAP_PORT, HIKESHI_TEST_IMAP_USER,
#   HIKESHI_TEST_IMAP_PASSWORD, HIKESHI_TEST_IMAP_MAILDIR (the user's maildir: put
#   messages into its new/ folder, or a ".Folder" sub-maildir),
#   HIKESHI_TEST_IMAP_TLS_PORT (implicit TLS; the plain port offers STARTTLS), with the
#   certificate signed by HIKESHI_TEST_CA (testca.sh)
# With HIKESHI_TEST_SKIP_IMAP=1 it starts nothing and the IMAP tests say "skipped".

hk_imap_setup() {
    if [[ -n "${HIKESHI_TEST_SKIP_IMAP:-}" ]]; then
        hk_notice "IMAP server SKIPPED (HIKESHI_TEST_SKIP_IMAP=1): IMAP polling tests will skip"
        unset HIKESHI_TEST_IMAP_HOST HIKESHI_TEST_IMAP_PORT HIKESHI_TEST_IMAP_MAILDIR
        return 0
    fi
    local t0=$SECONDS
    [[ -x /usr/sbin/dovecot ]] || hk_apt_install dovecot-imapd
    local dir port tport _ user=hikeshi-test pass=imap-secret
    hk_test_ca
    dir=$(mktemp -d /tmp/hikeshi-imap.XXXXXX)
    chmod 0755 "$dir"
    port=$(hk_free_port)
    tport=$(hk_free_port)
    [[ $tport != "$port" ]] || tport=$(hk_free_port)
    mkdir -p "$dir/run" "$dir/mail/$user/cur" "$dir/mail/$user/new" "$dir/mail/$user/tmp"
    chown -R nobody:nogroup "$dir/mail"
    chmod -R 0777 "$dir/mail"
    printf '%s:{PLAIN}%s\n' "$user" "$pass" >"$dir/passwd"
    cat >"$dir/dovecot.conf" <<CONF
base_dir = $dir/run
state_dir = $dir/run
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
instance_name = hikeshi-imap-$port
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <$HK_TEST_CERT
ssl_key = <$HK_TEST_KEY
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:$dir/mail/%u
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$dir/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $tport
    ssl = yes
  }
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
CONF
    /usr/sbin/dovecot -c "$dir/dovecot.conf" </dev/null >"$dir/start.log" 2>&1 ||
        { cat "$dir/start.log" "$dir/dovecot.log" >&2 2>/dev/null; hk_die "dovecot did not start"; }
    hk_on_exit "/usr/sbin/dovecot -c '$dir/dovecot.conf' stop >/dev/null 2>&1; sleep 0.2; rm -rf '$dir'"
    for _ in $(seq 1 50); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        sleep 0.1
    done
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null ||
        { cat "$dir/dovecot.log" >&2 2>/dev/null; hk_die "dovecot is not listening on $port"; }
    export HIKESHI_TEST_IMAP_HOST=127.0.0.1 HIKESHI_TEST_IMAP_PORT=$port HIKESHI_TEST_IMAP_TLS_PORT=$tport
    export HIKESHI_TEST_IMAP_USER=$user HIKESHI_TEST_IMAP_PASSWORD=$pass
    export HIKESHI_TEST_IMAP_MAILDIR=$dir/mail/$user
    hk_log "IMAP server (dovecot $(/usr/sbin/dovecot --version | cut -d' ' -f1)) on 127.0.0.1:$port (STARTTLS offered), :$tport (TLS), maildir $dir/mail/$user ($((SECONDS - t0))s)"
}
