import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend

from .base import BaseChannel, DeliveryError, Outgoing, Sent

# Headers the channel sets itself (or the mail library does): a template's headers never replace them.
OWN_HEADERS = {"message-id", "content-language", "from", "to", "cc", "bcc", "subject", "date", "sender"}


def message_id(outgoing: Outgoing) -> str:
    """The e-mail's Message-ID: the same for every attempt at one message (its idempotency key), so a
    copy sent again after an interrupted attempt is recognisably the same mail (RFC 5322 §3.6.4)."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "darcha.invalid"
    return f"<{outgoing.key or outgoing.message_id}@{domain}>"


class SmtpChannel(BaseChannel):
    """E-mail through the SMTP server in EMAIL_HOST/EMAIL_PORT (Django's SMTP backend, used
    directly, so the channel does not depend on EMAIL_BACKEND).

    An SMTP server cannot be asked whether it took a mail, so an attempt cut off after the server's
    250 is sent again; the copy carries the same Message-ID, which mail systems deduplicate on."""

    name = "smtp"

    def connection(self) -> EmailBackend:
        return EmailBackend(
            host=settings.EMAIL_HOST,
            port=settings.EMAIL_PORT,
            username=settings.EMAIL_HOST_USER,
            password=settings.EMAIL_HOST_PASSWORD,
            use_tls=settings.EMAIL_USE_TLS,
            use_ssl=settings.EMAIL_USE_SSL,
            timeout=settings.NOTIFY_TIMEOUT,
            fail_silently=False,
        )

    def send(self, outgoing: Outgoing) -> Sent:
        mail_id = message_id(outgoing)
        extra = {name: value for name, value in outgoing.headers if name.lower() not in OWN_HEADERS}
        email = EmailMessage(
            subject=outgoing.subject,
            body=outgoing.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[outgoing.address],
            headers={**extra, "Message-ID": mail_id, "Content-Language": outgoing.language},
            connection=self.connection(),
        )
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _text in error.recipients.values()]
            raise DeliveryError(
                f"SMTP: recipient refused ({codes})", transient=all(400 <= c < 500 for c in codes)
            ) from None
        except smtplib.SMTPResponseException as error:
            raise DeliveryError(
                f"SMTP {error.smtp_code}: {error.smtp_error!r}"[:500], transient=error.smtp_code < 500
            ) from None
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(f"SMTP: {error.__class__.__name__}: {error}"[:500], transient=True) from None
        return Sent(provider_id=mail_id.strip("<>"), provider_status="accepted")
