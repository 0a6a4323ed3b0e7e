"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, a free port, and
settings that send to it: shared by the delivery, email and reliability tests."""

from __future__ import annotations

import email
import socket
from email import policy

from aiosmtpd.controller import Controller

from trendline.core.settings import load_settings


class Inbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mail_settings(monkeypatch, port: int):
    url = f"mailto://127.0.0.1:{port}/?from=trendline@example.org&to=analyst@example.org&secure=no"
    monkeypatch.setenv("TRENDLINE_APPRISE_URLS", f"alerts,weekly={url}")
    return load_settings()


def start_smtp(port: int) -> tuple[Controller, Inbox]:
    inbox = Inbox()
    ctl = Controller(inbox, hostname="127.0.0.1", port=port)
    ctl.start()
    return ctl, inbox
