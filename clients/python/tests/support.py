"""Test support: a real `accord-server` on a free port in a temporary directory, the Swift
`accord` CLI on replicas beside it, and Python clients of them.

The binaries come from $ACCORD_BIN_DIR, else <repo>/.build/debug (what `make test` builds).
"""

import atexit
import contextlib
import io
import json
import os
import select
import signal
import sqlite3
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import accord_client

REPO = Path(__file__).resolve().parents[3]
BIN_DIR = Path(os.environ.get("ACCORD_BIN_DIR") or REPO / ".build" / "debug")
CLIENT_SCRIPT = Path(__file__).resolve().parents[1] / "accord_client.py"
START_SECONDS = 20


def binary(name):
    path = BIN_DIR / name
    if not os.access(path, os.X_OK):
        raise AssertionError(f"{path} is missing: build first (make test does) or set ACCORD_BIN_DIR")
    return str(path)


def run(*args, check=True, timeout=30):
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {result.returncode}: {result.stderr.strip()}")
    return result


# Stores are made once per run (the sample import and token hashing take a second) and each
# server gets a copy: tests share nothing but the bytes they start from.
EDITORS = ("alice", "bob", "carol", "dora", "erin")
READERS = ("rita",)
_templates = {}


def _template(sample):
    """(store file, {name: token}) of a fresh store, with or without the sample, and tokens."""
    if sample not in _templates:
        directory = tempfile.TemporaryDirectory(prefix="accord-py-template-")
        atexit.register(directory.cleanup)
        db = str(Path(directory.name) / "server.db")
        if sample:
            run(binary("accord-server"), "import", "--sample", "--db", db)
        tokens = {}
        for names, role in ((EDITORS, "editor"), (READERS, "reader")):
            for name in names:
                tokens[name] = run(binary("accord-server"), "token", "add", name, "--role", role, "--db", db).stdout.strip()
        _templates[sample] = (db, tokens)
    return _templates[sample]


class RunningServer:
    """`accord-server serve` over a store in `directory`, listening on 127.0.0.1 and a free port.
    Tokens of the editors alice, bob, carol, dora and erin and the reader rita are ready."""

    def __init__(self, directory, sample=False, max_line_bytes=None):
        self.db = str(Path(directory) / "server.db")
        self.log = open(Path(directory) / "server.log", "w")
        template, self.tokens = _template(sample)
        with contextlib.closing(sqlite3.connect(template)) as source, contextlib.closing(sqlite3.connect(self.db)) as copy:
            source.backup(copy)
        args = [binary("accord-server"), "serve", "--db", self.db, "--host", "127.0.0.1", "--port", "0"]
        if max_line_bytes:
            args += ["--max-line-bytes", str(max_line_bytes)]
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, text=True)
        ready, _, _ = select.select([self.process.stdout], [], [], START_SECONDS)
        line = self.process.stdout.readline() if ready else ""
        if not line.startswith("listening on "):
            self.process.kill()
            raise AssertionError(f"the server did not start: {line!r}")
        self.address = line.split()[-1]

    def token(self, name, role="editor"):
        """The token of `name`: a ready one, or a new one with `role`."""
        if name in self.tokens:
            return self.tokens[name]
        return run(binary("accord-server"), "token", "add", name, "--role", role, "--db", self.db).stdout.strip()

    def identity(self):
        """The store's identity, read from its file (as the Swift transcript test reads it)."""
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True) as db:
            return db.execute("SELECT identity FROM server").fetchone()[0]

    def stop(self):
        """SIGTERM, as an operator stops it; returns the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            status = self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            status = self.process.wait()
        self.process.stdout.close()
        self.log.close()
        return status


class SwiftReplica:
    """An `accord` replica file, driven through the Swift CLI."""

    def __init__(self, path, server, token, analyst):
        self.path = str(path)
        self.cli("init", "--server", server.address, "--token", token, "--analyst", analyst)

    def cli(self, *args, check=True):
        return run(binary("accord"), *args, "--replica", self.path, check=check)

    def sync(self):
        return self.cli("sync")

    def show(self, row_id):
        return json.loads(self.cli("show", row_id, "--format", "json").stdout)

    def conflicts(self):
        return json.loads(self.cli("conflicts", "--format", "json").stdout)

    def rows(self, table, columns="*"):
        """The rows of one of the replica's tables, read with sqlite3 as an analyst would."""
        return table_rows(self.path, table, columns)


def table_rows(path, table, columns="*"):
    with contextlib.closing(sqlite3.connect(str(path))) as db:
        cursor = db.execute(f"SELECT {columns} FROM {table} ORDER BY id")
        return [column[0] for column in cursor.description], cursor.fetchall()


class ServerTestCase(unittest.TestCase):
    """Each test gets a temporary directory and a server of its own, stopped with SIGTERM at the
    end (which must exit 0). `sample = True` loads the sample dataset first."""

    sample = False
    max_line_bytes = None

    def setUp(self):
        directory = tempfile.TemporaryDirectory(prefix="accord-py-")
        self.addCleanup(directory.cleanup)
        self.dir = Path(directory.name)
        self.server = RunningServer(self.dir, sample=self.sample, max_line_bytes=self.max_line_bytes)
        self.addCleanup(self._stop_server)

    def _stop_server(self):
        self.assertEqual(self.server.stop(), 0, "the server should stop cleanly on SIGTERM")

    def client(self, name, **options):
        """A Python client of analyst `name` (and their token) on a new file."""
        client = accord_client.Client(self.dir / f"{name}.db", server=self.server.address,
                                      token=self.server.token(name), analyst=name, **options)
        self.addCleanup(client.close)
        return client

    def swift(self, name):
        """A replica of the Swift CLI of analyst `name` (and their token)."""
        return SwiftReplica(self.dir / f"{name}.replica", self.server, self.server.token(name), name)

    def command(self, *args):
        """Runs the command's `main` in this process: (status, stdout, stderr)."""
        out, err = io.StringIO(), io.StringIO()
        status = accord_client.main(list(args), out=out, err=err)
        return subprocess.CompletedProcess(args, status, out.getvalue(), err.getvalue())

    def script(self, *args):
        """Runs accord_client.py as a process, as an analyst would."""
        return run(sys.executable, str(CLIENT_SCRIPT), *args, check=False)
