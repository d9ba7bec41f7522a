"""Fetch the next page while the caller normalises this one.

A page costs the server's time to answer and ours to normalise it; done one after the other the extract
pays both. One page of read-ahead in a thread overlaps them (sockets and TLS release the GIL), holding at
most two pages. An error the fetching thread meets is raised to the caller at the point it would have met
it, after every page before it, so a run that stops (`DailyLimitReached`) still keeps their cursors.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


def read_ahead(items: Iterator[T]) -> Generator[T, None, None]:
    """`items`, produced one ahead in a daemon thread; closing this generator stops the producer."""
    handoff: queue.Queue[object] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
        except Exception as error:  # noqa: BLE001 - not handled here: handed to the consumer, raised there
            put(error)
            return
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()  # in this thread, which ran it: a generator cannot be closed from another
        put(_DONE)

    thread = threading.Thread(target=produce, name="salesforce-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = handoff.get()
            if item is _DONE:
                return
            if isinstance(item, Exception):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        thread.join(timeout=5)
