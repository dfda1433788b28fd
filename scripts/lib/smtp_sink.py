"""SMTP sink for Hikeshi's tests: accepts every message on 127.0.0.1 and writes it to a folder.

Each message becomes NNNNNN.eml (the bytes as received) and NNNNNN.json
({"mail_from": ..., "rcpt_tos": [...], "auth": user-or-null}), written before the server
answers 250, so a client whose send returned can read what arrived at once.
AUTH PLAIN/LOGIN is offered (without TLS: loopback only) and checked against --user/--password.
"""
import argparse
import asyncio
import json
import os
import signal

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.n = 0

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        base = os.path.join(self.folder, "%06d" % self.n)
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "auth": session.auth_data if session.authenticated else None,
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
    a = p.parse_args()
    c = Controller(
        Sink(a.dir),
        hostname="127.0.0.1",
        port=a.port,
        authenticator=authenticator(a.user, a.password),
        auth_require_tls=False,
        auth_required=False,
        decode_data=False,
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
