"""Entry point of ``counterapp``. Each command lives in its own module with ``add_parser``/``run``."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from functools import cache

from counterapp import __version__
from counterapp.cli import (
    calendar_cmd,
    demo_cmd,
    dossier_cmd,
    duedate_cmd,
    forms_cmd,
    gui_cmd,
    init_cmd,
    intake_cmd,
    lease_cmd,
    outbox_cmd,
    print_cmd,
    printer_cmd,
    procedures_cmd,
    purge_cmd,
    register_cmd,
    selftest_cmd,
    support_cmd,
    sync_cmd,
    ticket_cmd,
    validate_cmd,
)
from counterapp.cli.common import ArgumentParser
from counterapp.datafiles.jsonfile import DataFileError
from counterapp.domain.errors import DomainError, ValidationFailed
from counterapp.store.errors import DataDirectoryTooNew

COMMANDS = (
    duedate_cmd,
    calendar_cmd,
    procedures_cmd,
    validate_cmd,
    init_cmd,
    lease_cmd,
    ticket_cmd,
    intake_cmd,
    dossier_cmd,
    forms_cmd,
    register_cmd,
    outbox_cmd,
    purge_cmd,
    printer_cmd,
    print_cmd,
    sync_cmd,
    demo_cmd,
    gui_cmd,
    selftest_cmd,
    support_cmd,
)


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(prog="counterapp", description="counterapp — phần mềm quầy một cửa")
    parser.add_argument("--version", action="version", version=f"counterapp {__version__}")
    parser.add_argument("--selftest", action=selftest_cmd.SelfTestAction, help="check this installation and exit")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(subparsers)
    return parser


def _describe(exc: DomainError) -> str:
    if isinstance(exc, ValidationFailed):
        return "; ".join(f"{e.field}: {e.code}" for e in exc.errors)
    params = dict(exc.params)
    hint = params.pop("hint", None)
    details = ", ".join(f"{k}={v}" for k, v in params.items())
    return f"{exc.code}" + (f" ({details})" if details else "") + (f"; {hint}" if hint else "")


@cache
def _parser() -> ArgumentParser:
    """Built once per process: ~40 sub-parsers cost ~25 ms (argparse looks up translations for each)."""
    return build_parser()


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    error_exit = int(getattr(args, "error_exit", 2))  # the client commands exit 1 on a refused input
    try:
        return int(args.run(args))
    except DataFileError as exc:
        print(f"counterapp: error: {exc}", file=sys.stderr)
        return error_exit
    except DataDirectoryTooNew as exc:  # IT reads this one: a plain sentence rather than the code
        print(f"counterapp: error: {exc}", file=sys.stderr)
        return error_exit
    except DomainError as exc:
        print(f"counterapp: error: {_describe(exc)}", file=sys.stderr)
        return error_exit
    except BrokenPipeError:  # `counterapp procedures list | head`
        return 0
