"""What the commands print and write, shared by the local commands (`main`) and those relayed to a running
service (`admin`): bilingual choice, progress lines, export and statistics."""
from __future__ import annotations

import argparse
import gzip
import sys
from typing import IO

from ..core import rdf


def pick(lang: str, fr: str, en: str) -> str:
    return en if lang == "en" else fr


class Progress:
    """A progress bar on a terminal; elsewhere (a log, a pipe) one line per tenth, never a carriage return."""

    def __init__(self, label: str, stream: IO[str] | None = None) -> None:
        self.label, self.stream = label, stream or sys.stderr
        self.tty = self.stream.isatty()
        self.last = -1

    def __call__(self, done: int, total: int) -> None:
        width = 30
        filled = width if total == 0 else width * done // total
        text = f"{self.label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
        if self.tty:
            self.stream.write("\r" + text)
        else:
            tenth = 10 if total == 0 else 10 * done // total
            if tenth == self.last:
                return
            self.last = tenth
            self.stream.write(text + "\n")
        self.stream.flush()

    def end(self) -> None:
        if self.tty:
            self.stream.write("\n")


def export(backend, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    """`graphe export`, here or by the running service (`backend`: `admin.Local` or `admin.Remote`)."""
    if args.format != "csv":
        rdf.format_named(args.format)
    if args.output is None:
        backend.export(args.format, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return 0
    tmp = args.output.with_name(args.output.name + ".partial")
    try:
        with tmp.open("wb") as raw:
            if args.output.suffix == ".gz":
                with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as packed:
                    backend.export(args.format, packed)
            else:
                backend.export(args.format, raw)
    except BaseException:
        tmp.unlink(missing_ok=True)  # never a partial file where a whole one is expected
        raise
    tmp.replace(args.output)
    say(pick(args.lang, f"Exporté vers {args.output}.", f"Exported to {args.output}."))
    return 0


def stats(backend, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    """`graphe stats`, here or by the running service."""
    found = backend.run("stats", {})
    when = pick(args.lang, f" du {found['time']}", f" of {found['time']}") if found["time"] else ""
    print(pick(args.lang, f"Révision {found['revision']}{when} — {found['triples']} triplets publiés",
               f"Revision {found['revision']}{when} — {found['triples']} published triples"))
    for row in found["classes"]:
        label = (row["label_en"] if args.lang == "en" else row["label_fr"]) or row["iri"]
        print(f"{row['count']:>8}  {label}  <{row['iri']}>")
    return 0


def say(text: str) -> None:
    """A line for the person at the terminal (stderr: stdout carries exports)."""
    sys.stderr.write(text + "\n")
