"""Entry point of ``counterapp``. Each command lives in its own module with ``add_parser``/``run``."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from counterapp import __version__
from counterapp.cli import calendar_cmd, duedate_cmd, procedures_cmd, validate_cmd
from counterapp.cli.common import ArgumentParser
from counterapp.datafiles.jsonfile import DataFileError
from counterapp.domain.errors import DomainError, ValidationFailed

COMMANDS = (duedate_cmd, calendar_cmd, procedures_cmd, validate_cmd)


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(prog="counterapp", description="counterapp — phần mềm quầy một cửa")
    parser.add_argument("--version", action="version", version=f"counterapp {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(subparsers)
    return parser


def _describe(exc: DomainError) -> str:
    if isinstance(exc, ValidationFailed):
        return "; ".join(f"{e.field}: {e.code}" for e in exc.errors)
    details = ", ".join(f"{k}={v}" for k, v in exc.params.items())
    return f"{exc.code}" + (f" ({details})" if details else "")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except DataFileError as exc:
        print(f"counterapp: error: {exc}", file=sys.stderr)
        return 2
    except DomainError as exc:
        print(f"counterapp: error: {_describe(exc)}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `counterapp procedures list | head`
        return 0
