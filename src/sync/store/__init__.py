"""The local store (SQLite file by default, PostgreSQL by URL): see `sync.store.store.Store` and
docs/store.md."""

from sync.store.connection import DEFAULT_URL, StoreUrlError
from sync.store.ledger import LedgerEntry
from sync.store.locks import HeldLock, InstanceLocked
from sync.store.records import QuarantineEntry
from sync.store.run_history import RunRecord, RunStatus
from sync.store.store import BatchSaved, Store

__all__ = [
    "DEFAULT_URL",
    "BatchSaved",
    "InstanceLocked",
    "LedgerEntry",
    "HeldLock",
    "QuarantineEntry",
    "RunRecord",
    "RunStatus",
    "Store",
    "StoreUrlError",
]
