"""Read-ahead keeps the order, raises an error where it happened, and stops its producer when closed."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from connectors.errors import DailyLimitReached
from connectors.salesforce.read_ahead import read_ahead


def test_items_in_order_then_the_error_after_them() -> None:
    def pages() -> Iterator[int]:
        yield 1
        yield 2
        raise DailyLimitReached("spent")

    reader = read_ahead(pages())
    assert (next(reader), next(reader)) == (1, 2)
    with pytest.raises(DailyLimitReached, match="spent"):
        next(reader)


def test_closing_stops_the_producer_after_at_most_two_more_items() -> None:
    produced: list[int] = []
    finished = threading.Event()

    def pages() -> Iterator[int]:
        try:
            for i in range(1000):
                produced.append(i)
                yield i
        finally:
            finished.set()

    reader = read_ahead(pages())
    assert next(reader) == 0
    reader.close()
    assert finished.wait(5)
    assert len(produced) <= 3  # the one consumed, the one handed over, the one waiting to be
