"""`graphe token …`, `graphe import …`, `graphe export` and `graphe stats`: run here, or by the `graphe serve` that
holds the data directory."""
from __future__ import annotations

import argparse
import sys
from typing import Any

from .. import relay as admin
from .output import Progress, export, pick, stats
from ..core.errors import GrapheError
from ..core.settings import Settings


def run_admin(settings: Settings, args: argparse.Namespace) -> int:
    from ..service import Graphe

    graphe = None
    try:
        graphe = Graphe.open(settings, search="sync" if args.command == "import" else "off",
                             say=lambda text: sys.stderr.write(text + "\n"), lang=args.lang)
        backend: Any = admin.Local(graphe)
    except GrapheError as error:
        remote = admin.remote_for(settings) if error.code == "STORE_LOCKED" else None
        if remote is None:
            raise
        sys.stderr.write(pick(args.lang, f"Le service tourne sur ce dossier : commande envoyée à {remote.url}.\n",
                              f"The service runs on this folder: command sent to {remote.url}.\n"))
        backend = remote
    try:
        run = {"token": _token, "person": _person, "import": _import, "export": export, "stats": stats}[args.command]
        return run(backend, args)
    finally:
        if graphe is not None:
            graphe.close()


def _token(backend: Any, args: argparse.Namespace) -> int:
    def t(fr: str, en: str) -> str:
        return pick(args.lang, fr, en)

    if args.token_command == "create":
        result = backend.run("token-create", {"role": args.role, "name": args.name, "city": args.city})
        account = result["account"]
        short = account["id"].rsplit("/", 1)[-1]
        print(t(f"Compte {short} ({account['role']}, {account['name']}) créé.",
                f"Account {short} ({account['role']}, {account['name']}) created."))
        print(t("Jeton (affiché une seule fois, gardez-le en lieu sûr) :",
                "Token (shown only once, keep it somewhere safe):"))
        print(result["token"])
    elif args.token_command == "list":
        for account in backend.run("token-list", {})["accounts"]:
            state = t("révoqué", "revoked") if account["revoked"] else t("actif", "active")
            city = f" {account['city']}" if account["city"] else ""
            print(f"{account['id'].rsplit('/', 1)[-1]}  {account['role']:<11} {state:<7} {account['created']}  "
                  f"{account['name']}{city}")
    else:
        account = backend.run("token-revoke", {"id": args.id})["account"]
        short = account["id"].rsplit("/", 1)[-1]
        print(t(f"Compte {short} ({account['name']}) révoqué.", f"Account {short} ({account['name']}) revoked."))
    return 0


def _person(backend: Any, args: argparse.Namespace) -> int:
    def t(fr: str, en: str) -> str:
        return pick(args.lang, fr, en)

    if args.person_command in ("invite", "invite-again"):
        url = args.url or ""
        if url and not url.endswith("/"):
            url += "/"
        if args.person_command == "invite":
            result = backend.run("person-invite", {"name": args.name, "email": args.email, "role": args.role,
                                                   "city": args.city, "url": url})
        else:
            result = backend.run("person-invite-again", {"id": args.id, "url": url})
        person = result["person"]
        print(t(f"Invitation de {person['name']} <{person['email']}> ({person['role']}), valable "
                f"{result['days']} jours. Lien (affiché une seule fois) :",
                f"Invitation for {person['name']} <{person['email']}> ({person['role']}), valid for "
                f"{result['days']} days. Link (shown only once):"))
        print(result["link"])
        if result.get("mailed"):
            print(t(f"Lien envoyé aussi à {person['email']}.", f"Link also sent to {person['email']}."))
        elif result.get("mail_error"):
            print(t(f"Envoi par courriel impossible ({result['mail_error']}) : transmettez le lien vous-même.",
                    f"Could not send the e-mail ({result['mail_error']}): give the link yourself."), file=sys.stderr)
    elif args.person_command == "list":
        states = {"invited": t("invitée", "invited"), "active": t("active", "active"),
                  "disabled": t("désactivée", "disabled")}
        for person in backend.run("person-list", {})["people"]:
            city = f" {person['city']}" if person["city"] else ""
            print(f"{person['id'].rsplit('/', 1)[-1]}  {person['role']:<11} {states[person['state']]:<11} "
                  f"{person['email']}  {person['name']}{city}")
    else:
        person = backend.run("person-disable", {"id": args.id})["person"]
        print(t(f"Compte de {person['name']} désactivé.", f"{person['name']}'s account disabled."))
    return 0


def _import(backend: Any, args: argparse.Namespace) -> int:
    def t(fr: str, en: str) -> str:
        return pick(args.lang, fr, en)

    failures = 0
    lines = []
    progress = Progress("Import")
    for index, path in enumerate(args.files):
        progress(index, len(args.files))
        try:
            data = path.read_bytes()
        except OSError as exc:
            lines.append(t(f"{path} : erreur [FILE_UNREADABLE] lecture impossible ({exc.strerror})",
                           f"{path}: error [FILE_UNREADABLE] cannot read ({exc.strerror})"))
            failures += 1
            continue
        try:
            result = backend.run("import", {"name": str(path), "publish": args.publish}, data)
        except GrapheError as error:
            first = error.text(args.lang).splitlines()[0]
            if error.code == "OUTCOME_UNKNOWN":  # the service may have written it before the connection broke
                outcome = t("état inconnu, relancez l'import de ce fichier", "outcome unknown, import this file again")
            else:
                outcome = t("rien d'écrit pour ce fichier", "nothing written for this file")
            lines.append(t(f"{path} : erreur [{error.code}] {first} — {outcome}",
                           f"{path}: error [{error.code}] {first} — {outcome}"))
            failures += 1
            continue
        counts: dict[str, int] = {}
        for _, outcome in result["outcomes"]:
            counts[outcome] = counts.get(outcome, 0) + 1
        words = {"published": t("publié(s)", "published"), "created": t("brouillon(s)", "draft(s)"),
                 "unchanged": t("inchangé(s)", "unchanged")}
        summary = (", ".join(f"{n} {words.get(k, k)}" for k, n in sorted(counts.items()))
                   or t("rien à importer", "nothing to import"))
        lines.append(t(f"{path} : {summary} (révision {result['revision']})",
                       f"{path}: {summary} (revision {result['revision']})"))
    progress(len(args.files), len(args.files))
    progress.end()
    for line in lines:
        print(line)
    return 1 if failures else 0
