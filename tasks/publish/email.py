"""Email as people read it, through Apprise's own email service.

Apprise's email plugin (2.0.1) builds the text part by stripping the HTML's tags (no
links) and cannot take a text part of ours; with `inline=yes` it embeds images as
multipart/related but still writes its own text part. `TrendlineEmail` replaces it for
mailto:// and mailtos:// URLs: the same URL syntax, the same SMTP connection code
(`AppriseSMTPController`: TLS modes, login, time-outs), and a message built with the
standard library:

    multipart/alternative
      text/plain              our text template (with its URLs)
      multipart/related
        text/html             refers to images as cid:<file name>
        image/png ...         Content-ID <file name>, inline
    (+ multipart/mixed around it for attachments the HTML does not refer to)

Imported only by trendline.tasks.publish.notify; `use_text()` hands a message's text part to the
email targets before Apprise sends it. Without one (a plain Apprise call), the plugin
falls back to Apprise's own message.
"""

from __future__ import annotations

import re
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

import apprise
from apprise.manager_plugins import NotificationManager
from apprise.plugins.email import NotifyEmail
from apprise.plugins.email.base import PGP_MODE_DEFAULT
from apprise.plugins.email.smtp import AppriseSMTPController

_CID = re.compile(r"""cid:([^\s"'>)]+)""")


class TrendlineEmail(NotifyEmail):
    """NotifyEmail whose message carries our text part and CID images."""

    text_body: str | None = None
    message_id: str | None = None  # the outbox message's stable Message-ID, for every retry

    def send(self, body, title="", notify_type=apprise.NotifyType.INFO, attach=None,
             body_format=None, **kwargs):
        text, self.text_body = self.text_body, None  # one message only
        mid, self.message_id = self.message_id, None
        if text is None or not self.targets or self.pgp_mode != PGP_MODE_DEFAULT:
            return super().send(body, title=title, notify_type=notify_type, attach=attach,
                                body_format=body_format, **kwargs)
        self.throttle()
        ok = True
        try:
            with AppriseSMTPController(
                host=self.smtp_host, port=self.port, secure_mode=self.secure_mode,
                user=self.user, password=self.password,
                verify_certificate=self.verify_certificate,
                socket_connect_timeout=self.socket_connect_timeout,
            ) as smtp:
                for name, addr in self.targets:
                    if self.is_delivered(addr):
                        continue
                    msg = self.message(title, text, body, attach or [], (name, addr), mid)
                    cc, bcc = self.cc - {addr}, self.bcc - {addr}
                    if smtp.sendmail(self.from_addr[1], [addr, *cc, *bcc], msg.as_string()):
                        self.mark_delivered(addr)
                    else:
                        ok = False
        except Exception as exc:  # noqa: BLE001 - as Apprise: a failed send is a False
            self.logger.warning("Email to %s failed: %s", self.smtp_host,
                                type(exc).__name__)
            ok = False
        return ok

    def message(self, title: str, text: str, html: str, attach, to: tuple,
                message_id: str | None = None) -> EmailMessage:
        msg = EmailMessage()
        msg["Subject"] = " ".join((title or "").split())
        msg["From"] = formataddr(self.from_addr)
        msg["To"] = formataddr((to[0] or False, to[1]))
        cc = self.cc - {to[1]}
        if cc:
            msg["Cc"] = ", ".join(formataddr((self.names.get(a, False), a)) for a in cc)
        if self.reply_to:
            msg["Reply-To"] = ", ".join(self.reply_to)
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = message_id or make_msgid(domain=self.smtp_host or None)
        msg["X-Application"] = self.app_id
        for key, value in self.headers.items():
            msg[key] = value
        msg.set_content(text, subtype="plain", charset="utf-8")
        msg.add_alternative(html, subtype="html", charset="utf-8")
        html_part = msg.get_payload()[1]
        wanted = set(_CID.findall(html))
        loose = []
        for a in attach:
            if not a:
                continue
            name = a.name or "attachment.dat"
            maintype, _, subtype = (a.mimetype or "application/octet-stream").partition("/")
            with a.open() as fh:
                data = fh.read()
            if name in wanted:
                html_part.add_related(data, maintype=maintype, subtype=subtype,
                                      cid=f"<{name}>", filename=name, disposition="inline")
            else:
                loose.append((data, maintype, subtype, name))
        for data, maintype, subtype, name in loose:
            msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
        return msg


def register() -> None:
    """mailto:// and mailtos:// build TrendlineEmail from now on (idempotent)."""
    manager = NotificationManager()
    if "mailto" in manager and manager["mailto"] is TrendlineEmail:
        return
    manager.add(TrendlineEmail, schemas=["mailto", "mailtos"], force=True)


def use_text(targets, tag: str, text: str, message_id: str | None = None) -> None:
    """Our text part (and stable Message-ID) for the next message the email targets of
    `tag` send."""
    for server in targets.find(tag):
        if isinstance(server, TrendlineEmail):
            server.text_body = text
            server.message_id = message_id


register()
