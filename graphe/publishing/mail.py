"""Invitations sent by e-mail, when the deployment names an SMTP server (`GRAPHE_SMTP_URL`; off by default).

The standard library's `smtplib` and `email` do the work: a plain-text message, French then English, with the
one-time link. Sending happens after the invitation is committed and never undoes it: a failure is reported
to whoever invited (who still has the link, shown once) and logged without the link.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from .people import INVITATION_DAYS, Person
from ..core.settings import Settings

log = logging.getLogger(__name__)
TIMEOUT = 10.0  # seconds for the whole exchange with the mail server


def invitation(settings: Settings, person: Person, link: str, inviter: str) -> str | None:
    """Send the invitation; None when sent (or no server is set), else why not (for the person inviting)."""
    if not settings.smtp_url:
        return None
    message = EmailMessage()
    message["Subject"] = "Votre accès à Graphe (AIMF) / Your access to Graphe"
    message["From"] = settings.mail_from
    message["To"] = person.email
    message.set_content(
        f"Bonjour {person.account.name},\n\n{inviter} vous invite dans l'espace des villes et du secrétariat de "
        f"Graphe, la bourse aux bonnes pratiques des villes de l'AIMF. Choisissez votre mot de passe ici (lien "
        f"valable {INVITATION_DAYS} jours, une seule fois) :\n\n{link}\n\n"
        f"Si vous n'attendiez pas ce message, ignorez-le.\n\n— \n\n"
        f"Hello {person.account.name},\n\n{inviter} invites you to the cities' and secretariat's space of Graphe. "
        f"Choose your password here (valid for {INVITATION_DAYS} days, once):\n\n{link}\n")
    url = urlsplit(settings.smtp_url)
    try:
        if url.scheme == "smtps":
            server: smtplib.SMTP = smtplib.SMTP_SSL(url.hostname or "localhost", url.port or 465, timeout=TIMEOUT,
                                                    context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(url.hostname or "localhost", url.port or 25, timeout=TIMEOUT)
        with server:
            if url.scheme == "smtp":
                server.ehlo()
                if server.has_extn("starttls"):
                    server.starttls(context=ssl.create_default_context())
            if url.username:
                server.login(unquote(url.username), unquote(url.password or ""))
            server.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("invitation e-mail to %s not sent: %s", person.email, exc)
        return f"{type(exc).__name__}: {exc}"
    return None
