"""How every `crm-kpi` command fails: one error type carrying its exit code, rendered in one place.

A command raises `CliError(message, exit_code)`; `CliGroup` (the app's click group) catches it, prints
`error: message` on stderr once, and exits with the code. Click's own usage errors (an unknown option, a
value that is not one of an option's choices) and operating-system errors that no command translated
(a full disk, a permission) take the same path, so nothing ordinary ends in a traceback.
"""

from __future__ import annotations

import errno
import sys
from collections.abc import Sequence
from enum import IntEnum
from typing import Any

import typer

# typer (>= 0.29) runs on its own copy of click: its exceptions are these, not the `click` package's.
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
from typer.core import TyperGroup


class ExitCode(IntEnum):
    """The documented exit codes (shared/DESIGN.md)."""

    OK = 0
    FAILED = 1
    """The run failed: nothing, or not everything, could be done."""
    USAGE = 2
    """Bad usage or settings: fix the command line or settings.toml and run again."""
    PARTIAL = 3
    """The run finished, but some records were quarantined or some writes were rejected."""


class CliError(Exception):
    """A mistake or failure to report as one line: what went wrong, where (the option or file), the fix."""

    def __init__(self, message: str, exit_code: ExitCode = ExitCode.USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def report_error(error: CliError) -> int:
    """Print the error once on stderr and return its exit code: the only place errors are printed."""
    typer.echo(f"error: {error.message}", err=True)
    return int(error.exit_code)


_OS_FIXES = {
    errno.ENOSPC: "free some space or choose another location",
    errno.EDQUOT: "free some space or choose another location",
    errno.EACCES: "check the permissions or choose another location",
    errno.EPERM: "check the permissions or choose another location",
    errno.EROFS: "choose a writable location",
    errno.EISDIR: "give a file, not a directory",
    errno.ENOTDIR: "give a directory, not a file",
    errno.ENOENT: "check the path",
}


def os_error(error: OSError, what: str, exit_code: ExitCode = ExitCode.FAILED) -> CliError:
    """A `CliError` for an operating-system error: `what` names the option or file, then why and the fix."""
    reason = error.strerror or str(error)
    fix = _OS_FIXES.get(error.errno or 0)
    return CliError(f"{what}: {reason.lower()}" + (f"; {fix}" if fix else ""), exit_code)


def _usage_message(error: ClickException) -> str:
    message = error.format_message().strip().replace("\n", " ").replace("Value error, ", "")
    context = getattr(error, "ctx", None)
    if isinstance(error, UsageError) and context is not None:
        return f"{message.rstrip('.')}; see '{context.command_path} --help'"
    return message


class CliGroup(TyperGroup):
    """The app's group: runs a command and turns every ordinary failure into `report_error` + exit code."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> int:
        try:
            result = super().main(
                args,
                prog_name,
                complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
            code = result if isinstance(result, int) else 0
        except CliError as error:
            code = report_error(error)
        except (
            NoArgsIsHelpError
        ) as error:  # `crm-kpi` alone: the help (already printed by rich) is the answer
            if error.format_message().strip():
                typer.echo(error.format_message())
            code = ExitCode.USAGE
        except ClickException as error:
            usage = isinstance(error, UsageError)
            code = report_error(CliError(_usage_message(error), ExitCode.USAGE if usage else ExitCode.FAILED))
        except typer.Abort:
            code = report_error(CliError("interrupted", ExitCode.FAILED))
        except OSError as error:
            where = str(error.filename) if error.filename else "crm-kpi"
            code = report_error(os_error(error, where))
        if standalone_mode:
            sys.exit(code)
        return code
