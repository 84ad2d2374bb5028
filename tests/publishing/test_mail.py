"""Invitations by e-mail (publishing/mail.py), against a minimal SMTP server on loopback written here (the
standard library has no server any more): the message reaches it with the link; a server that is down
yields a reason and changes nothing else; no server set, nothing is tried."""
from __future__ import annotations

import socket
from email import message_from_bytes, policy

import pytest

from conftest import SmtpCatcher
from graphe.core.settings import Settings
from graphe.publishing import mail, people
from graphe.publishing.accounts import Account
from graphe.service import Graphe


def test_an_invitation_is_mailed_when_a_server_is_set(fresh: Graphe, smtp: int) -> None:
    settings = Settings(data_dir=None, smtp_url=f"smtp://127.0.0.1:{smtp}", mail_from="graphe@aimf.example")
    person, link = people.invite(fresh.store, Account.local(), "Awa Diop", "awa@example.org", "secretariat", None,
                                 "https://graphe.example/")
    assert mail.invitation(settings, person, link, "Le secrétariat") is None
    [(to, data)] = SmtpCatcher.received
    message = message_from_bytes(data, policy=policy.default)
    assert to == "awa@example.org" and message["From"] == "graphe@aimf.example"
    body = message.get_content()
    assert link in body and "Bonjour Awa Diop" in body and "Hello Awa Diop" in body


def test_a_server_that_is_down_is_reported_and_nothing_else_changes(fresh: Graphe) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = Settings(data_dir=None, smtp_url=f"smtp://127.0.0.1:{port}")
    person, link = people.invite(fresh.store, Account.local(), "Jean", "jean@example.org", "secretariat", None,
                                 "https://graphe.example/")
    why = mail.invitation(settings, person, link, "Le secrétariat")
    assert why and "Connection" in why
    assert people.invitation(fresh.store, link.rsplit("/", 1)[-1]).email == "jean@example.org"  # still valid


def test_without_a_server_nothing_is_sent(fresh: Graphe) -> None:
    person, link = people.invite(fresh.store, Account.local(), "Léa", "lea@example.org", "secretariat", None,
                                 "https://graphe.example/")
    assert mail.invitation(Settings(data_dir=None), person, link, "x") is None


def test_the_setting_is_checked() -> None:
    from graphe.core.errors import GrapheError

    with pytest.raises(GrapheError):
        Settings(data_dir=None, smtp_url="mail.example.org")
