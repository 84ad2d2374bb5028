"""The `graphe` command: serve, load, validate, export, stats. French first; errors are one line, no traceback."""
from __future__ import annotations

import argparse
import contextlib
import errno
import gettext
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import NoReturn

from .. import __version__
from ..core import collector
from ..core.errors import GrapheError
from ..core.settings import ENVIRONMENT, Settings
from .output import Progress, export, pick, say, stats

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_PIPE = 141  # what a shell reports for a command a closed pipe stopped (128 + SIGPIPE), as `yes | head -1`

# argparse's own messages (usage, errors, headings) pass through gettext (its module-level `_` and `ngettext`);
# Python ships no French catalogue for them, so this is it (msgids of Python 3.11–3.13; others stay English).
_ARGPARSE_FR = {
    "usage: ": "utilisation : ",
    "positional arguments": "arguments",
    "options": "options",
    "optional arguments": "options",
    "show this help message and exit": "afficher cette aide et quitter",
    "show program's version number and exit": "afficher la version et quitter",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "unrecognized arguments: %s": "arguments non reconnus : %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "choix invalide : %(value)r (choisir parmi %(choices)s)",
    "invalid %(type)s value: %(value)r": "valeur invalide pour le type %(type)s : %(value)r",
    "expected one argument": "une valeur est attendue",
    "expected at most one argument": "au plus une valeur est attendue",
    "expected at least one argument": "au moins une valeur est attendue",
    "ambiguous option: %(option)s could match %(matches)s": "option ambiguë : %(option)s peut désigner %(matches)s",
    "not allowed with argument %s": "interdit avec l'argument %s",
    "ignored explicit argument %r": "valeur explicite ignorée : %r",
    "one of the arguments %s is required": "l'un des arguments %s est obligatoire",
    "unexpected option string: %s": "option inattendue : %s",
    "can't open '%(filename)s': %(error)s": "impossible d'ouvrir « %(filename)s » : %(error)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
}
_ARGPARSE_FR_PLURAL = {"expected %s argument": ("%s valeur attendue", "%s valeurs attendues")}


class _French(gettext.NullTranslations):
    def gettext(self, message: str) -> str:
        return _ARGPARSE_FR.get(message, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        forms = _ARGPARSE_FR_PLURAL.get(singular)
        if forms is None:
            return singular if n == 1 else plural
        return forms[0] if n <= 1 else forms[1]  # (French: 0 and 1 are singular)


@contextlib.contextmanager
def _argparse_in(lang: str) -> Iterator[None]:
    """argparse speaks `lang` meanwhile (its gettext functions are looked up at each message)."""
    if lang == "en":
        yield
        return
    catalogue = _French()
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = catalogue.gettext, catalogue.ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


def language(argv: Sequence[str]) -> str:
    """The language asked by `--lang` (anywhere on the line) or GRAPHE_LANG, known before argparse speaks."""
    class Quiet(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            raise ValueError(message)

    pre = Quiet(add_help=False)
    pre.add_argument("--lang")
    try:
        asked = pre.parse_known_args(list(argv))[0].lang
    except ValueError:
        asked = None
    asked = asked or os.environ.get("GRAPHE_LANG") or "fr"
    return "en" if asked.lower().startswith("en") else "fr"


class _Parser(argparse.ArgumentParser):
    lang = "fr"

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)
        # Accepted after a command too (`graphe export --lang en`); read beforehand by `language`.
        self.add_argument("--lang", choices=["fr", "en"], default=argparse.SUPPRESS,
                          help=pick(self.lang, "langue des messages (GRAPHE_LANG ; défaut : fr)",
                                    "language of the messages (GRAPHE_LANG; default: fr)"))

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        sys.stderr.write(pick(self.lang, f"graphe : erreur [USAGE] : {message}\n",
                              f"graphe: error [USAGE]: {message}\n"))
        sys.exit(EXIT_USAGE)


def _role_and_city(parser: argparse.ArgumentParser, t: Callable[[str, str], str]) -> None:
    """`--role` and `--city`, as a token and a person take them."""
    parser.add_argument("--role", required=True, choices=["contributor", "secretariat", "admin"],
                        help=t("contributor (une ville), secretariat (AIMF) ou admin",
                               "contributor (a city), secretariat (AIMF) or admin"))
    parser.add_argument("--city", metavar="IRI", help=t("la ville d'un contributeur (IRI)",
                                                        "a contributor's city (IRI)"))


def _store_options(parser: argparse.ArgumentParser, lang: str) -> None:
    parser.add_argument("--data", metavar=pick(lang, "DOSSIER", "FOLDER"),
                        help=pick(lang, "dossier des données (variable GRAPHE_DATA ; défaut : ./data)",
                                  "data folder (variable GRAPHE_DATA; default: ./data)"))
    parser.add_argument("--memory", action="store_true",
                        help=pick(lang, "stockage en mémoire, rien n'est écrit sur le disque (essais)",
                                  "in-memory store, nothing written to disk (trials)"))
    parser.add_argument("--base-iri", metavar="IRI",
                        help=pick(lang, "IRI de base des entités (variable GRAPHE_BASE_IRI ; défaut : "
                                        "https://graphe.aimf.asso.fr/)",
                                  "base IRI of the entities (variable GRAPHE_BASE_IRI; default: "
                                  "https://graphe.aimf.asso.fr/)"))


def build_parser(lang: str = "fr") -> argparse.ArgumentParser:
    """The command line, its help in `lang` (call within `_argparse_in(lang)` for argparse's own words)."""
    def t(fr: str, en: str) -> str:
        return pick(lang, fr, en)

    parser_class = type("Parser", (_Parser,), {"lang": lang})
    file_metavar = t("FICHIER", "FILE")
    parser = parser_class(
        prog="graphe",
        description="Graphe — graphe de connaissances et bourse aux bonnes pratiques des villes "
                    "francophones de l'AIMF.\nGraphe — knowledge graph and good-practice exchange of the "
                    "AIMF's francophone cities.",
        epilog=t("Variables d'environnement : ", "Environment variables: ") + ", ".join(ENVIRONMENT)
               + t(".\nAjoutez --lang en pour les messages en anglais.", ".\nMessages in French: --lang fr."))
    parser.set_defaults(lang=lang)
    parser.add_argument("--version", action="version", version=f"graphe {__version__}",
                        help=t("afficher la version et quitter", "show the version and exit"))
    commands = parser.add_subparsers(dest="command", title=t("commandes", "commands"),
                                     metavar=t("COMMANDE", "COMMAND"), parser_class=parser_class)
    commands.required = True

    serve = commands.add_parser("serve", help=t("lancer le service HTTP", "run the HTTP service"),
                                description=t("Lance le service HTTP (charge les données initiales si le "
                                              "stockage est vide).",
                                              "Runs the HTTP service (loads the seed data into an empty store)."))
    serve.add_argument("--host", help=t("adresse d'écoute (GRAPHE_HOST ; défaut : 127.0.0.1)",
                                        "listening address (GRAPHE_HOST; default: 127.0.0.1)"))
    serve.add_argument("--port", type=int, help=t("port d'écoute (GRAPHE_PORT ; défaut : 8000)",
                                                  "listening port (GRAPHE_PORT; default: 8000)"))
    _store_options(serve, lang)

    load = commands.add_parser("load", help=t("valider puis charger des fichiers RDF",
                                              "validate then load RDF files"),
                               description=t("Valide les fichiers (formes SHACL) et les charge en une seule "
                                             "transaction : tout ou rien. Formats : Turtle, N-Triples, "
                                             "N-Quads, JSON-LD, RDF/XML.",
                                             "Validates the files (SHACL shapes) and loads them in one "
                                             "transaction: all or nothing. Formats: Turtle, N-Triples, "
                                             "N-Quads, JSON-LD, RDF/XML."))
    load.add_argument("files", nargs="+", type=Path, metavar=file_metavar)
    _store_options(load, lang)

    validate = commands.add_parser("validate", help=t("valider des fichiers RDF sans rien écrire",
                                                      "validate RDF files, writing nothing"),
                                   description=t("Valide les fichiers avec les formes SHACL, dans le contexte "
                                                 "des données publiées (sauf --seul). N'écrit rien.",
                                                 "Validates the files against the SHACL shapes, in the context "
                                                 "of the published data (unless --standalone). Writes nothing."))
    validate.add_argument("files", nargs="+", type=Path, metavar=file_metavar)
    validate.add_argument("--seul", "--standalone", dest="standalone", action="store_true",
                          help=t("valider les fichiers seuls, sans les données publiées",
                                 "validate the files alone, without the published data"))
    _store_options(validate, lang)

    export = commands.add_parser("export", help=t("exporter les données publiées", "export the published data"),
                                 description=t("Écrit les données publiées dans le format choisi. Marche aussi "
                                               "pendant que `graphe serve` tourne.",
                                               "Writes the published data in the chosen format. Works while "
                                               "`graphe serve` runs too."))
    export.add_argument("--format", default="ttl", choices=["ttl", "nt", "nq", "jsonld", "rdf", "csv"],
                        help=t("format de sortie (défaut : ttl ; csv : les pratiques, relues par `graphe import`)",
                               "output format (default: ttl; csv: the practices, read back by `graphe import`)"))
    export.add_argument("--output", "-o", type=Path, metavar=file_metavar,
                        help=t("fichier de sortie, compressé s'il finit par .gz (défaut : sortie standard)",
                               "output file, compressed if it ends in .gz (default: standard output)"))
    _store_options(export, lang)

    reindex = commands.add_parser("reindex", help=t("reconstruire l'index de recherche", "rebuild the search index"),
                                  description=t("Reconstruit entièrement l'index de recherche plein texte à partir "
                                                "des données publiées, avec une barre de progression. Le service "
                                                "ne doit pas tourner sur le même dossier.",
                                                "Rebuilds the whole full-text search index from the published "
                                                "data, with a progress bar. The service must not run on the same "
                                                "folder."))
    _store_options(reindex, lang)

    token = commands.add_parser("token", help=t("gérer les jetons d'accès (comptes)",
                                                "manage access tokens (accounts)"),
                                description=t("Crée, liste ou révoque les jetons d'accès. Marche aussi pendant que "
                                              "`graphe serve` tourne sur le même dossier.",
                                              "Creates, lists or revokes access tokens. Works while `graphe serve` "
                                              "runs on the same folder too."))
    token_commands = token.add_subparsers(dest="token_command", title=t("actions", "actions"),
                                          metavar="ACTION", parser_class=parser_class)
    token_commands.required = True
    create = token_commands.add_parser("create", help=t("créer un jeton (affiché une seule fois)",
                                                        "create a token (shown once)"))
    _role_and_city(create, t)
    create.add_argument("--name", required=True, metavar=t("NOM", "NAME"),
                        help=t("qui utilisera ce jeton", "who will use this token"))
    _store_options(create, lang)
    listing = token_commands.add_parser("list", help=t("lister les comptes (jamais les jetons)",
                                                       "list the accounts (never the tokens)"))
    _store_options(listing, lang)
    revoke = token_commands.add_parser("revoke", help=t("révoquer un compte", "revoke an account"))
    revoke.add_argument("id", metavar=t("COMPTE", "ACCOUNT"),
                        help=t("identifiant du compte (voir `graphe token list`)",
                               "the account's identifier (see `graphe token list`)"))
    _store_options(revoke, lang)

    person = commands.add_parser("person", help=t("inviter, lister ou désactiver les personnes (comptes nominatifs)",
                                                  "invite, list or disable people (personal accounts)"),
                                 description=t("Les personnes se connectent au navigateur (/connexion) avec leur "
                                               "adresse et un mot de passe choisi depuis un lien d'invitation. "
                                               "Marche aussi pendant que `graphe serve` tourne sur le même dossier.",
                                               "People sign in in the browser (/connexion) with their address and "
                                               "a password chosen from an invitation link. Works while `graphe "
                                               "serve` runs on the same folder too."))
    person_commands = person.add_subparsers(dest="person_command", title=t("actions", "actions"),
                                            metavar="ACTION", parser_class=parser_class)
    person_commands.required = True
    invite = person_commands.add_parser("invite", help=t("inviter une personne (lien affiché une seule fois)",
                                                         "invite someone (link shown once)"))
    invite.add_argument("--name", required=True, metavar=t("NOM", "NAME"), help=t("son nom", "their name"))
    invite.add_argument("--email", required=True, metavar=t("ADRESSE", "ADDRESS"),
                        help=t("son adresse électronique", "their e-mail address"))
    _role_and_city(invite, t)
    invite.add_argument("--url", metavar="URL", help=t("adresse du site dans le lien (défaut : l'IRI de base)",
                                                      "the site's address in the link (default: the base IRI)"))
    _store_options(invite, lang)
    again = person_commands.add_parser("invite-again", help=t("nouveau lien (mot de passe oublié)",
                                                              "a new link (forgotten password)"))
    again.add_argument("id", metavar=t("PERSONNE", "PERSON"),
                       help=t("identifiant (voir `graphe person list`)", "identifier (see `graphe person list`)"))
    again.add_argument("--url", metavar="URL", help=t("adresse du site dans le lien (défaut : l'IRI de base)",
                                                     "the site's address in the link (default: the base IRI)"))
    _store_options(again, lang)
    people_list = person_commands.add_parser("list", help=t("lister les personnes", "list people"))
    _store_options(people_list, lang)
    disable = person_commands.add_parser("disable", help=t("désactiver un compte (jamais supprimé)",
                                                           "disable an account (never deleted)"))
    disable.add_argument("id", metavar=t("PERSONNE", "PERSON"),
                         help=t("identifiant (voir `graphe person list`)", "identifier (see `graphe person list`)"))
    _store_options(disable, lang)

    importer = commands.add_parser("import", help=t("importer des fiches (Markdown, CSV) ou du RDF",
                                                    "import sheets (Markdown, CSV) or RDF"),
                                   description=t("Importe chaque fichier en une transaction : des brouillons, ou des "
                                                 "publications avec --publish (droits du secrétariat). Fiches : "
                                                 "docs/sheets.md. Marche aussi pendant que `graphe serve` tourne.",
                                                 "Imports each file in one transaction: drafts, or publications "
                                                 "with --publish (the secretariat's rights). Sheets: "
                                                 "docs/sheets.md. Works while `graphe serve` runs too."))
    importer.add_argument("files", nargs="+", type=Path, metavar=file_metavar)
    importer.add_argument("--publish", action="store_true", help=t("publier directement (validation SHACL)",
                                                                   "publish at once (SHACL validation)"))
    _store_options(importer, lang)

    document = commands.add_parser("document", help=t("ranger un document (PDF, ODT, DOCX, PNG, JPEG, CSV) et le décrire",
                                                      "store a document (PDF, ODT, DOCX, PNG, JPEG, CSV) and describe it"),
                                   description=t("Range un fichier dans le dossier des documents (GRAPHE_DOCUMENTS_DIR, "
                                                 "par défaut DONNÉES/documents) sous son empreinte SHA-256, après en "
                                                 "avoir lu le type dans son contenu, puis affiche l'empreinte et les "
                                                 "lignes Turtle qui le décrivent, à importer avec `graphe load` : "
                                                 "c'est ainsi qu'une charte ou une ville reçoit ses documents.",
                                                 "Stores a file in the documents folder (GRAPHE_DOCUMENTS_DIR, by "
                                                 "default DATA/documents) under its SHA-256 checksum, its type read "
                                                 "from its content, then prints the checksum and the Turtle lines "
                                                 "describing it, to import with `graphe load`: this is how a charter "
                                                 "or a city gets its documents."))
    document_commands = document.add_subparsers(dest="document_command", title=t("actions", "actions"),
                                                metavar="ACTION", parser_class=parser_class)
    document_commands.required = True
    add = document_commands.add_parser("add", help=t("ranger un fichier et afficher sa description",
                                                     "store a file and print its description"))
    add.add_argument("file", type=Path, metavar=file_metavar)
    add.add_argument("--owner", required=True, metavar="IRI",
                     help=t("ce qui porte le document (charte, ville, pratique, projet d'IA)",
                            "what carries the document (charter, city, practice, AI project)"))
    add.add_argument("--title", metavar=t("TITRE", "TITLE"),
                     help=t("titre en français (défaut : le nom du fichier)", "French title (default: the file's name)"))
    add.add_argument("--language", metavar=t("LANGUE", "LANGUAGE"),
                     help=t("langue du document : ", "language of the document: ") + "fr, en, ar, es, pt, wo, mg")
    add.add_argument("--license", metavar=t("LICENCE", "LICENCE"),
                     help=t("licence : ", "licence: ") + "etalab-2.0, cc-by-4.0, cc-by-sa-4.0, cc0-1.0")
    add.add_argument("--number", type=int, default=1, metavar="N",
                     help=t("numéro du document sous son porteur : {porteur}/document/N (défaut : 1)",
                            "the document's number under its owner: {owner}/document/N (default: 1)"))
    add.add_argument("--data", metavar=t("DOSSIER", "FOLDER"),
                     help=t("dossier des données (GRAPHE_DATA ; défaut : ./data)",
                            "data folder (GRAPHE_DATA; default: ./data)"))
    add.add_argument("--base-iri", metavar="IRI", help=t("IRI de base (GRAPHE_BASE_IRI)", "base IRI (GRAPHE_BASE_IRI)"))

    stats = commands.add_parser("stats", help=t("compter les ressources publiées par classe",
                                                "count the published resources by class"),
                                description=t("Nombre de ressources publiées par classe, révision, triplets. "
                                              "Marche aussi pendant que `graphe serve` tourne.",
                                              "Published resources by class, revision, triples. Works while "
                                              "`graphe serve` runs too."))
    _store_options(stats, lang)
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    settings = Settings.load(data_dir=getattr(args, "data", None), base_iri=getattr(args, "base_iri", None),
                             host=getattr(args, "host", None), port=getattr(args, "port", None))
    return settings.in_memory() if getattr(args, "memory", False) else settings


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    lang = language(argv)
    try:
        with _argparse_in(lang):
            args = build_parser(lang).parse_args(argv)
        args.lang = lang
        return _run(args)
    except GrapheError as exc:
        _error(lang, exc.code, exc.text(lang))
        return EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write(pick(lang, "graphe : interrompu.\n", "graphe: interrupted.\n"))
        return 130
    except OSError as exc:
        if isinstance(exc, BrokenPipeError) or exc.errno == errno.EPIPE:
            return _pipe_closed()
        _error(lang, "OS_ERROR", str(exc))
        return EXIT_ERROR


def _error(lang: str, code: str, text: str) -> None:
    sys.stderr.write(pick(lang, f"graphe : erreur [{code}] : {text}\n", f"graphe: error [{code}]: {text}\n"))


def _pipe_closed() -> int:
    """The reader of our output left (`graphe export | head -1`): stop without a word, as Unix tools do.
    What is still buffered for stdout goes nowhere, so that the interpreter's last flush finds no closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return EXIT_PIPE


def _run(args: argparse.Namespace) -> int:
    if args.command == "serve":
        from .server import check_port

        settings = settings_from(args)
        check_port(settings)  # before seeds, store and imports: a taken port says so at once
        collector.paused_for_start()
        from .server import serve
        return serve(settings, args.lang)
    settings = settings_from(args)
    if args.command == "document":
        from .documents import add_document
        return add_document(settings, args)
    if args.command in ("load", "validate", "import"):
        from ..ingest.loading import check_sizes
        check_sizes(args.files, settings.import_max_bytes)  # before the store opens (and seeds) for nothing
    if args.command in ("token", "person", "import", "export", "stats"):
        from .admin import run_admin
        return run_admin(settings, args)
    from ..service import Graphe  # imported late: `graphe --help` stays instant

    seed = args.command != "validate"
    search = "sync" if args.command == "load" else "off"
    graphe = Graphe.open(settings, seed=seed, say=say, search=search, lang=args.lang)
    try:
        return _COMMANDS[args.command](graphe, args)
    finally:
        graphe.close()


def _load(graphe, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    from ..validation.report import ValidationReport

    t = lambda fr, en: pick(args.lang, fr, en)  # noqa: E731
    result = graphe.load(args.files)
    if result.report.warnings:
        say(ValidationReport(result.report.warnings).format(args.lang))
    if result.revision is None:
        print(t(f"Rien de nouveau : les {result.triples} triplets sont déjà publiés.",
                f"Nothing new: the {result.triples} triples are already published."))
    else:
        print(t(f"Chargé : {result.added} triplets nouveaux ({result.triples} lus, {len(result.files)} "
                f"fichier(s)), révision {result.revision.number}.",
                f"Loaded: {result.added} new triples ({result.triples} read, {len(result.files)} "
                f"file(s)), revision {result.revision.number}."))
    return 0


def _validate(graphe, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    report = graphe.validate_files(args.files, with_store=not args.standalone)
    if report.results:
        print(report.format(args.lang))
    files = ", ".join(map(str, args.files))
    counts = (len(report.violations), len(report.warnings))
    print(pick(args.lang,
               f"{files} : {'conforme' if report.conforms else 'non conforme'} ({counts[0]} violation(s), "
               f"{counts[1]} avertissement(s)).",
               f"{files}: {'conforms' if report.conforms else 'does not conform'} ({counts[0]} violation(s), "
               f"{counts[1]} warning(s))."))
    return 0 if report.conforms else EXIT_ERROR


def _reindex(graphe, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    import time

    started = time.monotonic()
    bar = Progress(pick(args.lang, "Indexation", "Indexing"))
    count = graphe.search.rebuild(graphe.store, progress=bar)
    elapsed = time.monotonic() - started
    bar.end()
    rate = f", {count / elapsed:.0f} documents/s" if elapsed > 0 and count else ""
    print(pick(args.lang,
               f"Index reconstruit : {count} documents en {elapsed:.1f} s{rate} (révision {graphe.search.revision}).",
               f"Index rebuilt: {count} documents in {elapsed:.1f} s{rate} (revision {graphe.search.revision})."))
    return 0


_COMMANDS = {"load": _load, "validate": _validate, "reindex": _reindex}

if __name__ == "__main__":
    sys.exit(main())
