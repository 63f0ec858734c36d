import smtplib
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend

from .base import BaseChannel, DeliveryError, Outgoing, Sent


class SmtpChannel(BaseChannel):
    """E-mail through the SMTP server in EMAIL_HOST/EMAIL_PORT (Django's SMTP backend, used
    directly, so the channel does not depend on EMAIL_BACKEND)."""

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
        message_id = make_msgid(idstring=f"darcha.{outgoing.message_id}")
        email = EmailMessage(
            subject=outgoing.subject,
            body=outgoing.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[outgoing.address],
            headers={"Message-ID": message_id, "Content-Language": outgoing.language},
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
        return Sent(provider_id=message_id.strip("<>"), provider_status="accepted")
