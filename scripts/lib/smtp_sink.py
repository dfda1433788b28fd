"""SMTP sink for Hikeshi's tests: accepts every message on 127.0.0.1 and writes it to a folder.

Each message becomes PORT-NNNNNN.eml (the bytes as received) and PORT-NNNNNN.json
({"mail_from": ..., "rcpt_tos": [...], "auth": user-or-null, "tls": bool}), written before
the server answers 250, so a client whose send returned can read what arrived at once.
AUTH PLAIN/LOGIN is offered and checked against --user/--password.
--mode plain (default: AUTH without TLS, loopback only), starttls (STARTTLS required before
MAIL and AUTH) or tls (implicit TLS from the first byte), with --cert/--key.
"""
import argparse
import asyncio
import json
import os
import signal
import ssl

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, folder, prefix):
        self.folder = folder
        self.prefix = prefix
        self.n = 0

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        base = os.path.join(self.folder, "%s-%06d" % (self.prefix, self.n))
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "auth": session.auth_data if session.authenticated else None,
            "tls": bool(session.ssl) or server.transport.get_extra_info("ssl_object") is not None,
        }
        with open(base + ".json", "w") as f:
            json.dump(meta, f)
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 OK stored"


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password:
            return AuthResult(success=True, auth_data=auth_data.login.decode())
        return AuthResult(success=False, handled=False)
    return check


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--mode", choices=["plain", "starttls", "tls"], default="plain")
    p.add_argument("--cert")
    p.add_argument("--key")
    a = p.parse_args()
    extra = {}
    if a.mode != "plain":
        # A generic context: aiosmtpd's start-up self-check also connects through it.
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.load_cert_chain(a.cert, a.key)
        if a.mode == "starttls":
            extra = {"tls_context": ctx, "require_starttls": True}
        else:
            extra = {"ssl_context": ctx}
    c = Controller(
        Sink(a.dir, str(a.port)),
        hostname="127.0.0.1",
        port=a.port,
        authenticator=authenticator(a.user, a.password),
        # aiosmtpd only counts STARTTLS as TLS here; implicit TLS is TLS from the start.
        auth_require_tls=a.mode == "starttls",
        auth_required=a.mode != "plain",
        decode_data=False,
        **extra,
    )
    c.start()
    loop = asyncio.new_event_loop()
    stop = loop.create_future()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, lambda: stop.done() or stop.set_result(None))
    print("ready", flush=True)
    loop.run_until_complete(stop)
    c.stop()


if __name__ == "__main__":
    main()
