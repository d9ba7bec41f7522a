"""`Record`: one row as the store keeps it — field API name to Python value (`date`, UTC `datetime` to the
millisecond, `float`, `int`, `bool`, `str` or None). Its own module so every part of the store names it
without importing the store."""

from __future__ import annotations

from typing import Any

Record = dict[str, Any]
