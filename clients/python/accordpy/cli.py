"""The command: `pull`, `push` and `conflicts` over a local file. Thin: parse, call Client, print.

Errors are one line on stderr starting `error:` and exit with the status of their class (the
same as `accord sync`: 64 usage, 65 bad data, 66 not found, 69 unreachable, 76 protocol,
77 refused, 78 another server).
"""

import argparse
import json
import os
import sqlite3
import sys

from .client import Client
from .errors import AccordError, UsageError


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def build_parser():
    parser = _Parser(prog="accord_client.py", description="Pull the shared commitments into a SQLite file, push edits, list conflicts.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def command(name, help_text, run):
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--db", required=True, help="the local SQLite file")
        sub.set_defaults(run=run)
        return sub

    def connection_options(sub):
        sub.add_argument("--server", help="HOST:PORT (remembered in the file)")
        sub.add_argument("--token", default=os.environ.get("ACCORD_TOKEN"), help="the analyst's token (default $ACCORD_TOKEN; remembered)")
        sub.add_argument("--no-deflate", action="store_true", help="offer only uncompressed newline JSON")
        sub.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for the server (default 10)")

    pull = command("pull", "Clone, then pull only what changed, into the file.", run_pull)
    connection_options(pull)
    pull.add_argument("--analyst", help="the name recorded with this file's edits (default: the login name)")

    push = command("push", "Push pending edits (and the rows of --csv), then pull.", run_push)
    connection_options(push)
    push.add_argument("--csv", help="a CSV file of rows to add or edit first (header of field names, optional id column)")
    push.add_argument("--entity", default="commitments", choices=("commitments", "meetings"), help="the entity of the CSV rows")
    push.add_argument("--no-pull", action="store_true", help="push only")

    conflicts = command("conflicts", "List the open conflicts the file holds (pull first to refresh).", run_conflicts)
    conflicts.add_argument("--format", default="table", choices=("table", "json"))
    return parser


def main(argv=None, out=sys.stdout, err=sys.stderr):
    """Runs the command; returns the exit status."""
    try:
        args = build_parser().parse_args(argv)
        args.run(args, out)
        return 0
    except AccordError as error:
        print(f"error: {_one_line(error.message)}", file=err)
        return error.exit_status
    except sqlite3.Error as error:
        print(f"error: the local file: {_one_line(str(error))}", file=err)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted; run the command again to finish", file=err)
        return 130


def run_pull(args, out):
    with _client(args, create=True, analyst=args.analyst) as client:
        report = client.pull()
    verb = "cloned" if report.cloned else "pulled"
    print(f"{verb} {report.fields} fields in {report.batches} batches (cursor {report.cursor}, {report.compression})"
          + (f"; {report.skipped} left for pending edits" if report.skipped else ""), file=out)


def run_push(args, out):
    with _client(args, create=False) as client:
        if args.csv:
            summary = client.import_csv(args.csv, args.entity)
            print(f"{args.csv}: {summary.added} added, {summary.updated} updated, {summary.unchanged} unchanged", file=out)
        report = client.push(pull=not args.no_pull)
    print(f"pushed {report.pushed} changes: {report.accepted} accepted, {report.equal} equal, "
          f"{report.duplicate} duplicate, {len(report.conflicts)} conflicts", file=out)
    for conflict in report.conflicts:
        stands = {True: "yours stands", False: f"{conflict.standing_analyst}'s {_shown(conflict.standing)} stands", None: "see conflicts"}
        print(f"conflict {conflict.conflict_id[:13]} {conflict.entity} {conflict.row_id[:13]} {conflict.field}: "
              f"yours {_shown(conflict.yours)}, {stands[conflict.yours_stands]}", file=out)
    if report.pull is not None:
        print(f"pulled {report.pull.fields} fields (cursor {report.pull.cursor})", file=out)


def run_conflicts(args, out):
    with _client(args, create=False) as client:
        conflicts = client.conflicts()
    if args.format == "json":
        print(json.dumps([conflict.__dict__ for conflict in conflicts], ensure_ascii=False, indent=1), file=out)
        return
    print("ID\tENTITY\tROW\tFIELD\tSTANDING\tBY\tOTHER\tBY", file=out)
    for c in conflicts:
        print(f"{c.id[:13]}\t{c.entity}\t{c.row_id[:13]}\t{c.field}\t{_shown(c.standing_value)}\t{c.standing_analyst}"
              f"\t{_shown(c.other_value)}\t{c.other_analyst}", file=out)


def _client(args, create, analyst=None):
    return Client(args.db, server=getattr(args, "server", None), token=getattr(args, "token", None), analyst=analyst,
                  deflate=not getattr(args, "no_deflate", False), timeout=getattr(args, "timeout", 10.0), create=create)


def _shown(value):
    return "∅" if value is None else _one_line(str(value))[:60]


def _one_line(text):
    return " ".join(str(text).split())
