"""Text files as people produce them: a UTF-8 byte-order mark (Excel, Notepad) is accepted and dropped; bytes
that are not UTF-8 are reported as such, with the line and byte offset, rather than as a parse error."""

from __future__ import annotations

UTF8_BOM = b"\xef\xbb\xbf"


def strip_bom(data: bytes) -> bytes:
    """`data` without a leading UTF-8 byte-order mark."""
    return data[len(UTF8_BOM) :] if data.startswith(UTF8_BOM) else data


def non_utf8_reason(error: UnicodeDecodeError, *, line_offset: int) -> str:
    """Why a line is not text: the first bad byte and its offset in the line and (given where the line
    starts) in the file."""
    bad = error.object[error.start]
    return (
        f"not UTF-8: byte 0x{bad:02X} at byte offset {error.start} of the line, "
        f"{line_offset + error.start} of the file; save the file as UTF-8"
    )


def decode_utf8(data: bytes, name: str) -> str:
    """A whole file's text (BOM dropped); raises `ValueError` naming the file, line and byte offset of the
    first byte that is not UTF-8."""
    try:
        return strip_bom(data).decode("utf-8")
    except UnicodeDecodeError as error:
        start = error.start + len(data) - len(strip_bom(data))  # an offset in the file as it is on disk
    line = data.count(b"\n", 0, start) + 1
    line_start = data.rfind(b"\n", 0, start) + 1
    raise ValueError(
        f"{name}: line {line}: not UTF-8: byte 0x{data[start]:02X} "
        f"at byte offset {start - line_start} of the "
        f"line, {start} of the file; save the file as UTF-8"
    )
