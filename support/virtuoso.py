"""A throw-away Virtuoso (Debian's virtuoso-opensource-7-bin) on loopback, for the tests and the benchmarks.

    with Virtuoso.start(folder) as server:
        server.url                              # its SPARQL endpoint, http://127.0.0.1:PORT/sparql
        server.bulk_load([file], graph_iri)     # Virtuoso's own bulk loader: ld_dir + rdf_loader_run
        server.isql("checkpoint;")
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx

from support import processes

INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
DirsAllowed = ., {d}{allowed}
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
ServerThreads = 10
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def available() -> bool:
    return shutil.which("virtuoso-t") is not None


class Virtuoso:
    """One Virtuoso server in `folder` (its database, log and the files it may bulk-load)."""

    def __init__(self, folder: Path, process: subprocess.Popen, sql_port: int, http_port: int) -> None:  # type: ignore[type-arg]
        self.folder, self.process, self.sql_port, self.http_port = folder, process, sql_port, http_port
        self.url = f"http://127.0.0.1:{http_port}/sparql"

    @classmethod
    def start(cls, folder: Path, *, allowed: tuple[Path, ...] = (), buffers: int = 20000,
              timeout: float = 120) -> Virtuoso:
        """Start a server on fresh loopback ports and wait for its SPARQL endpoint; the anonymous SPARQL user
        may update (what Graphe's remote store needs). `buffers` are 8 KiB pages of its page cache (Virtuoso's
        own sizing: about 85,000 per GiB it may use); `allowed` are folders it may bulk-load files from."""
        binary = shutil.which("virtuoso-t")
        if binary is None:
            raise RuntimeError("virtuoso-t missing: apt-get install virtuoso-opensource-7-bin")
        folder.mkdir(parents=True, exist_ok=True)
        sql, http = free_port(), free_port()
        (folder / "virtuoso.ini").write_text(INI.format(d=folder, sql=sql, http=http, buffers=buffers,
                                                        allowed="".join(f", {a}" for a in allowed),
                                                        dirty=buffers * 3 // 5), encoding="utf-8")
        process = subprocess.Popen([binary, "+foreground", "+configfile", str(folder / "virtuoso.ini")],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=folder)
        server = cls(folder, process, sql, http)
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(server.url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                process.wait()
                raise RuntimeError((folder / "virtuoso.log").read_text(errors="replace")[-2000:])
            time.sleep(0.3)
        server.isql('grant SPARQL_UPDATE to "SPARQL";')
        return server

    def isql(self, *statements: str, timeout: float = 3600) -> str:
        """Run SQL statements through Debian's `isql-vt` as dba; returns its output, raises on an error."""
        args = [shutil.which("isql-vt") or "isql-vt", f"127.0.0.1:{self.sql_port}", "dba", "dba"]
        done = subprocess.run(args + [f"exec={s}" for s in statements], capture_output=True, text=True,
                              timeout=timeout)
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql failed: {done.stdout[-1500:]}{done.stderr[-1500:]}")
        return done.stdout

    def bulk_load(self, files: list[Path], graph: str) -> None:
        """Virtuoso's bulk loader, as its documentation runs it: each file registered (`ld_add`, the file's
        folder must be among `allowed`), `rdf_loader_run()`, then a `checkpoint` (what makes them durable)."""
        self.isql("delete from DB.DBA.load_list;", *(f"ld_add('{p.resolve()}', '{graph}');" for p in files),
                  "rdf_loader_run();", "checkpoint;")
        errors = self.isql("select ll_file, ll_error from DB.DBA.load_list where ll_error is not null;")
        if "0 Rows" not in errors:
            raise RuntimeError(f"bulk load refused a file: {errors[-1500:]}")

    def stop(self) -> None:
        processes.stop(self.process)

    def __enter__(self) -> Virtuoso:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
