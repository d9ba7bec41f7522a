"""Which files of an input directory the loader reads, and a word about every other entry.

A file whose name is almost an input file's (`Opportunities.jsonl`, `quota.csv`) is the commonest way to
lose a whole table without noticing, so every entry that is not an input file is reported, with the input
file it most likely meant. A directory or an unreadable file where an input file belongs stops the load:
computing on with that table empty would give wrong KPIs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from kpi_engine.load_findings import LoadWarning, did_you_mean
from kpi_engine.schema import RECORD_FILES, TABLE_FILES


class LoadError(ValueError):
    """The input directory cannot be loaded at all; the message names the path and the fix."""


def expected_files() -> list[str]:
    return [name for name, _ in RECORD_FILES.values()] + [name for name, _ in TABLE_FILES.values()]


@dataclass
class InputFiles:
    present: list[str] = field(default_factory=list)
    """Input files found, to read (an empty file is present: its table is empty, with a warning)."""
    warnings: list[LoadWarning] = field(default_factory=list)


def scan_directory(directory: Path) -> InputFiles:
    """The input files of `directory` and a warning for each other entry; `LoadError` when it cannot be
    used."""
    if directory.is_file():
        raise LoadError(f"{directory}: is a file; give the directory that holds the input files")
    if not directory.is_dir():
        raise LoadError(f"{directory}: no such directory")
    expected = expected_files()
    found = InputFiles()
    others: list[str] = []
    for entry in sorted(os.scandir(directory), key=lambda e: e.name):
        if entry.name in expected:
            _check_readable(Path(entry.path))
            found.present.append(entry.name)
            if entry.stat().st_size == 0:
                found.warnings.append(LoadWarning(entry.name, "empty file; its table is empty"))
        elif not entry.name.startswith("."):
            others.append(entry.name)
            kind = "a directory" if entry.is_dir() else "not an input file"
            hint = did_you_mean(entry.name, expected) or f"; the input files are {', '.join(expected)}"
            found.warnings.append(LoadWarning(entry.name, f"{kind}, ignored{hint}"))
    if not found.present:
        hints = "".join(
            f" ({name}{did_you_mean(name, expected)})" for name in others if did_you_mean(name, expected)
        )
        raise LoadError(
            f"{directory}: none of the input files found{hints}; expected any of {', '.join(expected)}"
        )
    found.present.sort(key=expected.index)
    return found


def _check_readable(path: Path) -> None:
    if path.is_dir():
        raise LoadError(
            f"{path}: is a directory where the input file {path.name} belongs; remove or rename it"
        )
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError as error:
        raise LoadError(
            f"{path}: cannot be read ({(error.strerror or str(error)).lower()}); check its permissions"
        ) from None
