"""`graphe token …` and `graphe import …`: run here, or by the `graphe serve` that holds the data directory."""
from __future__ import annotations

import argparse
import base64
import sys
from typing import Any

from . import admin
from .errors import GrapheError
from .settings import Settings


def progress(done: int, total: int, label: str = "Import") -> None:
    width = 30
    filled = width if total == 0 else width * done // total
    sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    sys.stderr.flush()


def run_admin(settings: Settings, args: argparse.Namespace) -> int:
    from .service import Graphe

    graphe = None
    try:
        graphe = Graphe.open(settings, search="sync" if args.command == "import" else "off",
                             say=lambda text: sys.stderr.write(text + "\n"))
        backend: Any = admin.Local(graphe)
    except GrapheError as error:
        remote = admin.remote_for(settings) if error.code == "STORE_LOCKED" else None
        if remote is None:
            raise
        sys.stderr.write(f"Le service tourne sur ce dossier : commande envoyée à {remote.url}.\n")
        backend = remote
    try:
        return _token(backend, args) if args.command == "token" else _import(backend, args)
    finally:
        if graphe is not None:
            graphe.close()


def _token(backend: Any, args: argparse.Namespace) -> int:
    if args.token_command == "create":
        result = backend.run("token-create", {"role": args.role, "name": args.name, "city": args.city})
        account = result["account"]
        print(f"Compte {account['id'].rsplit('/', 1)[-1]} ({account['role']}, {account['name']}) créé.")
        print("Jeton (affiché une seule fois, gardez-le en lieu sûr) :")
        print(result["token"])
    elif args.token_command == "list":
        for account in backend.run("token-list", {})["accounts"]:
            state = "révoqué" if account["revoked"] else "actif"
            city = f" {account['city']}" if account["city"] else ""
            print(f"{account['id'].rsplit('/', 1)[-1]}  {account['role']:<11} {state:<7} {account['created']}  "
                  f"{account['name']}{city}")
    else:
        account = backend.run("token-revoke", {"id": args.id})["account"]
        print(f"Compte {account['id'].rsplit('/', 1)[-1]} ({account['name']}) révoqué.")
    return 0


def _import(backend: Any, args: argparse.Namespace) -> int:
    failures = 0
    lines = []
    for index, path in enumerate(args.files):
        progress(index, len(args.files))
        try:
            data = path.read_bytes()
        except OSError as exc:
            lines.append(f"{path} : erreur [FILE_UNREADABLE] lecture impossible ({exc.strerror})")
            failures += 1
            continue
        try:
            result = backend.run("import", {"name": str(path), "data": base64.b64encode(data).decode(),
                                            "publish": args.publish})
        except GrapheError as error:
            first = error.text(args.lang).splitlines()[0]
            lines.append(f"{path} : erreur [{error.code}] {first} — rien d'écrit pour ce fichier")
            failures += 1
            continue
        counts: dict[str, int] = {}
        for _, outcome in result["outcomes"]:
            counts[outcome] = counts.get(outcome, 0) + 1
        words = {"published": "publié(s)", "created": "brouillon(s)", "unchanged": "inchangé(s)"}
        summary = ", ".join(f"{n} {words.get(k, k)}" for k, n in sorted(counts.items())) or "rien à importer"
        lines.append(f"{path} : {summary} (révision {result['revision']})")
    progress(len(args.files), len(args.files))
    sys.stderr.write("\n")
    for line in lines:
        print(line)
    return 1 if failures else 0
