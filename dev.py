#!/usr/bin/env python3
"""Set Graphe up and run it, with nothing but Python 3.11+.

    python3 dev.py serve [graphe serve options]   # venv + pinned deps, then the service on ./data with the seeds
    python3 dev.py test  [pytest options]         # venv + pinned deps + test deps, then the test suite
    python3 dev.py graphe ARGS…                   # any other graphe command inside the venv

The virtual environment lives in .venv (GRAPHE_VENV overrides); it is rebuilt only when a lock file changes.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("GRAPHE_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
LOCKS = {"run": ["requirements.lock"], "test": ["requirements.lock", "requirements-test.lock"]}


def _fingerprint(kind: str) -> str:
    digest = hashlib.sha256()
    for name in LOCKS[kind] + ["pyproject.toml"]:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def ensure_env(kind: str) -> None:
    """Create the venv and install the pinned dependencies of `kind` unless already done."""
    if sys.version_info < (3, 11):
        sys.exit("Graphe demande Python 3.11 ou plus récent / Graphe needs Python 3.11 or newer.")
    stamp = VENV / f".graphe-{kind}"
    wanted = _fingerprint(kind)
    if stamp.exists() and stamp.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print(f"Création de l'environnement {VENV} …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    pip = [str(BIN / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    lock = LOCKS[kind][-1]
    print(f"Installation des dépendances épinglées ({lock}) …", flush=True)
    subprocess.run(pip + ["install", "-r", str(ROOT / lock)], check=True)
    subprocess.run(pip + ["install", "--no-deps", "-e", str(ROOT)], check=True)
    stamp.write_text(wanted)


def compile_package() -> None:
    """Write the bytecode of the package's modules (only those changed since): a start then reads it instead of
    compiling every module again — even where Python is told not to write it (PYTHONDONTWRITEBYTECODE), as
    an installed package would have it. About 60 ms of every start."""
    subprocess.run([str(BIN / "python"), "-m", "compileall", "-q", str(ROOT / "graphe")], check=True)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"serve", "test", "graphe"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    ensure_env("test" if command == "test" else "run")
    compile_package()
    os.chdir(ROOT)
    if command == "test":
        args = [str(BIN / "python"), "-m", "pytest", *rest]
    elif command == "serve":
        args = [str(BIN / "graphe"), "serve", *rest]
    else:
        args = [str(BIN / "graphe"), *rest]
    return subprocess.call(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
