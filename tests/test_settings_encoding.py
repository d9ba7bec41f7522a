"""settings.toml as editors write it: a UTF-8 byte-order mark is accepted; bytes that are not UTF-8 and a
directory in the file's place are one message naming the file, line and byte offset."""

from __future__ import annotations

from pathlib import Path

import pytest

from sync.settings import SettingsError, load_settings


def test_a_byte_order_mark_before_the_first_table_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_bytes(b"\xef\xbb\xbf[kpis]\nfiscal_year_start_month = 2\n")
    assert load_settings(path).kpis.fiscal_year_start_month == 2


def test_bytes_that_are_not_utf8_name_the_line_and_byte_offset(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    # BOM (3) + "[kpis]\n" (7) + "fiscal_year_start_month = 2\n" (28) = 38 bytes before line 3;
    # 'time_zone = "Europe/Z' is 21 bytes, so the Latin-1 'ü' is at offset 21 of the line, 59 of the file.
    path.write_bytes(b'\xef\xbb\xbf[kpis]\nfiscal_year_start_month = 2\ntime_zone = "Europe/Z\xfcrich"\n')
    with pytest.raises(SettingsError) as caught:
        load_settings(path)
    assert str(caught.value) == (
        f"{path}: line 3: not UTF-8: byte 0xFC at byte offset 21 of the line, 59 of the file; "
        "save the file as UTF-8"
    )


def test_a_directory_given_as_the_settings_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="is a directory; give the settings file"):
        load_settings(tmp_path)
