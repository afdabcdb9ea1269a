"""Mail out, without blocking the event loop (aiosmtplib): one message per reminder."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib

from runcoach.config import Settings
from runcoach.fit.files import FitFile


class Mailer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def configured(self) -> bool:
        return bool(self.settings.smtp_host)

    def message(
        self, *, to: str, subject: str, body: str, html: str | None = None, attachment: FitFile | None = None
    ) -> EmailMessage:
        """The mail: the text, then `html` as its alternative (readers show the last they can), and
        the attachment around both (multipart/mixed holding the multipart/alternative)."""
        mail = EmailMessage()
        mail["From"] = self.settings.smtp_from
        mail["To"] = to
        mail["Subject"] = subject
        mail["Message-ID"] = make_msgid(domain="runcoach.local")
        mail.set_content(body)
        if html is not None:
            mail.add_alternative(html, subtype="html")
        if attachment is not None:  # after the alternative: add_attachment wraps it (make_mixed)
            mail.add_attachment(
                attachment.data, maintype="application", subtype="vnd.ant.fit", filename=attachment.name
            )
        return mail

    async def send(self, mail: EmailMessage) -> None:
        """Hand the message to the mail server; raises aiosmtplib's errors (refused, unreachable)."""
        s = self.settings
        await aiosmtplib.send(
            mail,
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_user,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            use_tls=s.smtp_security == "tls",
            start_tls=s.smtp_security == "starttls",
            timeout=s.smtp_timeout_s,
        )
