"""The `graphe` command: serve, load, validate, export, stats. French first; errors are one line, no traceback."""
from __future__ import annotations

import argparse
import gc
import gzip
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__, rdf
from .errors import GrapheError
from .settings import ENVIRONMENT, Settings

EXIT_ERROR = 1
EXIT_USAGE = 2

_ARGPARSE_FR = {
    "the following arguments are required: ": "arguments obligatoires manquants : ",
    "unrecognized arguments: ": "arguments non reconnus : ",
    "invalid choice: ": "choix invalide : ",
    "expected one argument": "une valeur est attendue",
    "argument ": "argument ",
    "choose from ": "choisir parmi ",
    "invalid int value: ": "nombre entier invalide : ",
}


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, "utilisation : " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        self.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")

    def error(self, message: str) -> None:  # type: ignore[override]
        for en, fr in _ARGPARSE_FR.items():
            message = message.replace(en, fr)
        self.print_usage(sys.stderr)
        sys.stderr.write(f"graphe : erreur [USAGE] : {message}\n")
        sys.exit(EXIT_USAGE)


def _store_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", metavar="DOSSIER",
                        help="dossier des données (variable GRAPHE_DATA ; défaut : ./data)")
    parser.add_argument("--memory", action="store_true",
                        help="stockage en mémoire, rien n'est écrit sur le disque (essais)")
    parser.add_argument("--base-iri", metavar="IRI",
                        help="IRI de base des entités (variable GRAPHE_BASE_IRI ; défaut : "
                             "https://graphe.aimf.asso.fr/)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="graphe",
        description="Graphe — graphe de connaissances et bourse aux bonnes pratiques des villes "
                    "francophones de l'AIMF.\nGraphe — knowledge graph and good-practice exchange of the "
                    "AIMF's francophone cities.",
        epilog="Variables d'environnement : " + ", ".join(ENVIRONMENT)
               + ".\nAjoutez --lang en pour les messages d'erreur en anglais.")
    parser.add_argument("--version", action="version", version=f"graphe {__version__}",
                        help="afficher la version et quitter")
    parser.add_argument("--lang", choices=["fr", "en"], default=os.environ.get("GRAPHE_LANG", "fr"),
                        help="langue des messages (défaut : fr)")
    commands = parser.add_subparsers(dest="command", title="commandes", metavar="COMMANDE",
                                     parser_class=_Parser)
    commands.required = True

    serve = commands.add_parser("serve", help="lancer le service HTTP",
                                description="Lance le service HTTP (charge les données initiales si le "
                                            "stockage est vide).")
    serve.add_argument("--host", help="adresse d'écoute (GRAPHE_HOST ; défaut : 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port d'écoute (GRAPHE_PORT ; défaut : 8000)")
    _store_options(serve)

    load = commands.add_parser("load", help="valider puis charger des fichiers RDF",
                               description="Valide les fichiers (formes SHACL) et les charge en une seule "
                                           "transaction : tout ou rien. Formats : Turtle, N-Triples, "
                                           "N-Quads, JSON-LD, RDF/XML.")
    load.add_argument("files", nargs="+", type=Path, metavar="FICHIER")
    _store_options(load)

    validate = commands.add_parser("validate", help="valider des fichiers RDF sans rien écrire",
                                   description="Valide les fichiers avec les formes SHACL, dans le contexte "
                                               "des données publiées (sauf --seul). N'écrit rien.")
    validate.add_argument("files", nargs="+", type=Path, metavar="FICHIER")
    validate.add_argument("--seul", "--standalone", dest="standalone", action="store_true",
                          help="valider les fichiers seuls, sans les données publiées")
    _store_options(validate)

    export = commands.add_parser("export", help="exporter les données publiées",
                                 description="Écrit les données publiées dans le format choisi.")
    export.add_argument("--format", default="ttl", choices=["ttl", "nt", "nq", "jsonld", "rdf", "csv"],
                        help="format de sortie (défaut : ttl ; csv : les pratiques, relues par `graphe import`)")
    export.add_argument("--output", "-o", type=Path, metavar="FICHIER",
                        help="fichier de sortie, compressé s'il finit par .gz (défaut : sortie standard)")
    _store_options(export)

    reindex = commands.add_parser("reindex", help="reconstruire l'index de recherche",
                                  description="Reconstruit entièrement l'index de recherche plein texte à partir "
                                              "des données publiées, avec une barre de progression. Le service "
                                              "ne doit pas tourner sur le même dossier.")
    _store_options(reindex)

    token = commands.add_parser("token", help="gérer les jetons d'accès (comptes)",
                                description="Crée, liste ou révoque les jetons d'accès. Marche aussi pendant que "
                                            "`graphe serve` tourne sur le même dossier.")
    token_commands = token.add_subparsers(dest="token_command", title="actions", metavar="ACTION",
                                          parser_class=_Parser)
    token_commands.required = True
    create = token_commands.add_parser("create", help="créer un jeton (affiché une seule fois)")
    create.add_argument("--role", required=True, choices=["contributor", "secretariat", "admin"],
                        help="contributor (une ville), secretariat (AIMF) ou admin")
    create.add_argument("--city", metavar="IRI", help="la ville d'un contributeur (IRI)")
    create.add_argument("--name", required=True, metavar="NOM", help="qui utilisera ce jeton")
    _store_options(create)
    listing = token_commands.add_parser("list", help="lister les comptes (jamais les jetons)")
    _store_options(listing)
    revoke = token_commands.add_parser("revoke", help="révoquer un compte")
    revoke.add_argument("id", metavar="COMPTE", help="identifiant du compte (voir `graphe token list`)")
    _store_options(revoke)

    importer = commands.add_parser("import", help="importer des fiches (Markdown, CSV) ou du RDF",
                                   description="Importe chaque fichier en une transaction : des brouillons, ou des "
                                               "publications avec --publish (droits du secrétariat). Fiches : "
                                               "docs/sheets.md. Marche aussi pendant que `graphe serve` tourne.")
    importer.add_argument("files", nargs="+", type=Path, metavar="FICHIER")
    importer.add_argument("--publish", action="store_true", help="publier directement (validation SHACL)")
    _store_options(importer)

    stats = commands.add_parser("stats", help="compter les ressources publiées par classe",
                                description="Nombre de ressources publiées par classe, révision, triplets.")
    _store_options(stats)
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    settings = Settings.load(data_dir=getattr(args, "data", None), base_iri=getattr(args, "base_iri", None),
                             host=getattr(args, "host", None), port=getattr(args, "port", None))
    return settings.in_memory() if getattr(args, "memory", False) else settings


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    lang = args.lang
    try:
        return _run(args)
    except GrapheError as exc:
        sys.stderr.write(f"graphe : erreur [{exc.code}] : {exc.text(lang)}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("graphe : interrompu.\n" if lang == "fr" else "graphe: interrupted.\n")
        return 130
    except OSError as exc:
        sys.stderr.write(f"graphe : erreur [OS_ERROR] : {exc}\n")
        return EXIT_ERROR


def _run(args: argparse.Namespace) -> int:
    if args.command == "serve":
        # No collector pass during the start's imports: what they make lives as long as the process, and
        # `server.serve` puts it out of the collector's sight before enabling it again (`tune_gc_for_serving`).
        gc.disable()
        from .server import serve
        return serve(settings_from(args))
    from .service import Graphe  # imported late: `graphe --help` stays instant

    settings = settings_from(args)
    if args.command in ("token", "import"):
        from .cli_admin import run_admin
        return run_admin(settings, args)
    seed = args.command != "validate"
    search = "sync" if args.command == "load" else "off"
    graphe = Graphe.open(settings, seed=seed, say=_say, search=search)
    try:
        return _COMMANDS[args.command](graphe, args)
    finally:
        graphe.close()


def _say(text: str) -> None:
    sys.stderr.write(text + "\n")


def _load(graphe, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    from .report import ValidationReport

    result = graphe.load(args.files)
    if result.report.warnings:
        _say(ValidationReport(result.report.warnings).format(args.lang))
    if result.revision is None:
        print(f"Rien de nouveau : les {result.triples} triplets sont déjà publiés.")
    else:
        print(f"Chargé : {result.added} triplets nouveaux ({result.triples} lus, {len(result.files)} "
              f"fichier(s)), révision {result.revision.number}.")
    return 0


def _validate(graphe, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    report = graphe.validate_files(args.files, with_store=not args.standalone)
    if report.results:
        print(report.format(args.lang))
    verdict = "conforme" if report.conforms else "non conforme"
    print(f"{', '.join(map(str, args.files))} : {verdict} ({len(report.violations)} violation(s), "
          f"{len(report.warnings)} avertissement(s)).")
    return 0 if report.conforms else EXIT_ERROR


def _export(graphe, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    if args.format == "csv":
        from .exports import practices_csv
        from .filters import PracticeFilter

        text = "".join(practices_csv(graphe.store, PracticeFilter())).encode("utf-8")
        if args.output is None:
            sys.stdout.buffer.write(text)
        else:
            args.output.write_bytes(text)
            _say(f"Exporté vers {args.output}.")
        return 0
    fmt = rdf.format_named(args.format)
    if args.output is None:
        graphe.export(sys.stdout.buffer, fmt)
        sys.stdout.buffer.flush()
    else:
        tmp = args.output.with_name(args.output.name + ".partial")
        with tmp.open("wb") as raw:
            if args.output.suffix == ".gz":
                with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as packed:
                    graphe.export(packed, fmt)
            else:
                graphe.export(raw, fmt)
        tmp.replace(args.output)
        _say(f"Exporté vers {args.output}.")
    return 0


def _stats(graphe, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    revision = graphe.store.revision()
    print(f"Révision {revision.number}"
          + (f" du {revision.time.isoformat()}" if revision.time else "")
          + f" — {graphe.triple_count()} triplets publiés")
    for row in graphe.class_counts():
        label = (row.label_en if args.lang == "en" else row.label_fr) or row.iri
        print(f"{row.count:>8}  {label}  <{row.iri}>")
    return 0


def _reindex(graphe, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    import time

    started = time.monotonic()

    def bar(done: int, total: int) -> None:
        width = 30
        filled = width if total == 0 else width * done // total
        sys.stderr.write(f"\rIndexation [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        sys.stderr.flush()

    count = graphe.search.rebuild(graphe.store, progress=bar)
    elapsed = time.monotonic() - started
    sys.stderr.write("\n")
    rate = f", {count / elapsed:.0f} documents/s" if elapsed > 0 and count else ""
    print(f"Index reconstruit : {count} documents en {elapsed:.1f} s{rate} (révision {graphe.search.revision}).")
    return 0


_COMMANDS = {"load": _load, "validate": _validate, "export": _export, "stats": _stats, "reindex": _reindex}

if __name__ == "__main__":
    sys.exit(main())
