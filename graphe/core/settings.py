"""Settings, read once at the edge (CLI flags, then environment, then defaults) and passed explicitly."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import GrapheError

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_BASE_IRI = "https://graphe.aimf.asso.fr/"

# Environment variables, each with the setting it fills (documented in docs/deployment.md; a test checks it).
ENVIRONMENT = {
    "GRAPHE_DATA": "data_dir",
    "GRAPHE_HOST": "host",
    "GRAPHE_PORT": "port",
    "GRAPHE_BASE_IRI": "base_iri",
    "GRAPHE_SEEDS": "seeds_dir",
    "GRAPHE_LICENSE": "license",
    "GRAPHE_SPARQL_TIMEOUT": "sparql_timeout",
    "GRAPHE_SPARQL_MAX_ROWS": "sparql_max_rows",
    "GRAPHE_STORE_QUERY_URL": "store_query_url",
    "GRAPHE_STORE_UPDATE_URL": "store_update_url",
    "GRAPHE_STORE_USER": "store_user",
    "GRAPHE_STORE_PASSWORD": "store_password",
    "GRAPHE_GRAPH_PREFIX": "graph_prefix",
    "GRAPHE_READ_CACHE_MB": "read_cache_mb",
    "GRAPHE_IMPORT_MAX_MB": "import_max_mb",
    "GRAPHE_SEARCH_ENGINE": "search_engine",
    "GRAPHE_SMTP_URL": "smtp_url",
    "GRAPHE_MAIL_FROM": "mail_from",
    "GRAPHE_DOCUMENTS_DIR": "documents_dir",
    "GRAPHE_DOCUMENTS_MAX_MB": "documents_max_mb",
}
DEFAULT_LICENSE = "https://www.etalab.gouv.fr/licence-ouverte-open-licence"


@dataclass(frozen=True)
class Settings:
    """Everything Graphe needs to know about its deployment.

    `data_dir=None` means an in-memory store (tests, `--memory`).
    """

    data_dir: Path | None = Path("data")
    host: str = "127.0.0.1"
    port: int = 8000
    base_iri: str = DEFAULT_BASE_IRI
    ontology_dir: Path = field(default=PROJECT_ROOT / "ontology")
    seeds_dir: Path = field(default=PROJECT_ROOT / "seeds")
    license: str = DEFAULT_LICENSE  # licence of the published data (an IRI), in the catalogue and dumps
    sparql_timeout: float = 10.0  # seconds before a public SPARQL query is stopped
    sparql_max_rows: int = 10_000  # results (rows or triples) a public SPARQL query returns at most
    read_cache_mb: int = 500  # what is derived for reads and kept per revision (lists, entities…), roughly
    # Largest file `graphe load`/`import` read (and import body the service accepts): a 100,000-practice import
    # is ≈ 500 MB of Turtle, so bulk imports fit with room to spare.
    import_max_mb: int = 2048
    # A remote SPARQL 1.1 server instead of the embedded Oxigraph (query and update endpoints, credentials).
    store_query_url: str | None = None
    store_update_url: str | None = None
    store_user: str | None = None
    store_password: str | None = field(default=None, repr=False)
    graph_prefix: str | None = None  # graph IRIs' prefix when several deployments share one SPARQL server
    # Full-text engine: "tantivy" (default, compiled) or "whoosh" (pure Python, 20–70× slower; BENCHMARKS.md).
    search_engine: str = "tantivy"
    # Invitations also sent by e-mail when set: smtp://[user:password@]host[:port] (STARTTLS when the server
    # offers it) or smtps://… (TLS from the start); off by default (the link is shown once to whoever invites).
    smtp_url: str | None = field(default=None, repr=False)
    mail_from: str = "graphe@localhost"
    # Documents attached to records (PDF, ODT, DOCX, PNG, JPEG, CSV), stored by checksum: the folder (replicas
    # must share it; default {data_dir}/documents, a temporary folder for an in-memory store) and the largest
    # file accepted, in MiB.
    documents_dir: Path | None = None
    documents_max_mb: int = 20

    @property
    def remote_store(self) -> bool:
        return bool(self.store_query_url)

    def __post_init__(self) -> None:
        if not self.base_iri.startswith(("http://", "https://")) or not self.base_iri.endswith("/"):
            raise GrapheError(
                "SETTINGS_INVALID",
                f"IRI de base invalide « {self.base_iri} » : elle doit commencer par http:// ou https:// "
                "et finir par « / ».",
                f"Invalid base IRI '{self.base_iri}': it must start with http:// or https:// and end with '/'.",
            )
        if bool(self.store_query_url) != bool(self.store_update_url):
            raise GrapheError("SETTINGS_INVALID", "Un stockage distant demande GRAPHE_STORE_QUERY_URL et "
                              "GRAPHE_STORE_UPDATE_URL.", "A remote store needs GRAPHE_STORE_QUERY_URL and "
                              "GRAPHE_STORE_UPDATE_URL.")
        if self.sparql_timeout <= 0 or self.sparql_max_rows <= 0:
            raise GrapheError("SETTINGS_INVALID", "Le délai et le plafond SPARQL doivent être positifs.",
                              "The SPARQL timeout and row cap must be positive.")
        if self.import_max_mb <= 0:
            raise GrapheError("SETTINGS_INVALID", "La taille maximale d'un import doit être positive.",
                              "The largest import size must be positive.")
        if self.documents_max_mb <= 0:
            raise GrapheError("SETTINGS_INVALID", "La taille maximale d'un document doit être positive.",
                              "The largest document size must be positive.")
        if self.read_cache_mb < 0:
            raise GrapheError("SETTINGS_INVALID", "La taille du cache de lecture ne peut pas être négative.",
                              "The read cache size cannot be negative.")
        if self.search_engine not in ("tantivy", "whoosh"):
            raise GrapheError("SETTINGS_INVALID",
                              f"Moteur de recherche inconnu « {self.search_engine} » : tantivy ou whoosh.",
                              f"Unknown search engine '{self.search_engine}': tantivy or whoosh.")
        if self.smtp_url and not self.smtp_url.startswith(("smtp://", "smtps://")):
            raise GrapheError("SETTINGS_INVALID", "GRAPHE_SMTP_URL commence par smtp:// ou smtps://.",
                              "GRAPHE_SMTP_URL starts with smtp:// or smtps://.")
        if not 0 < self.port < 65536:
            raise GrapheError(
                "SETTINGS_INVALID",
                f"Port invalide : {self.port}.",
                f"Invalid port: {self.port}.",
            )

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Defaults, overridden by the environment, overridden by explicit values (CLI flags)."""
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for variable, name in ENVIRONMENT.items():
            if environ.get(variable):
                values[name] = environ[variable]
        values.update({k: v for k, v in overrides.items() if v is not None})
        for name, kind in (("port", int), ("sparql_timeout", float), ("sparql_max_rows", int), ("read_cache_mb", int),
                           ("import_max_mb", int), ("documents_max_mb", int)):
            if name in values:
                try:
                    values[name] = kind(str(values[name]))
                except ValueError:
                    raise GrapheError(
                        "SETTINGS_INVALID",
                        f"Réglage {name} invalide : « {values[name]} » n'est pas un nombre.",
                        f"Invalid setting {name}: '{values[name]}' is not a number.",
                    ) from None
        for name in ("data_dir", "seeds_dir", "ontology_dir", "documents_dir"):
            if isinstance(values.get(name), str):
                values[name] = Path(str(values[name]))
        return cls(**values)  # type: ignore[arg-type]

    @property
    def import_max_bytes(self) -> int:
        return self.import_max_mb << 20

    @property
    def documents_max_bytes(self) -> int:
        return self.documents_max_mb << 20

    @property
    def documents_path(self) -> Path | None:
        """Where documents are kept: GRAPHE_DOCUMENTS_DIR, else {data_dir}/documents; None for an in-memory
        store without a folder (documents then go to a temporary folder of the process)."""
        if self.documents_dir is not None:
            return self.documents_dir
        return self.data_dir / "documents" if self.data_dir is not None else None

    def in_memory(self) -> Settings:
        return replace(self, data_dir=None)
