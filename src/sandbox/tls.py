"""TLS material for sandbox servers: a local CA that clients trust, and a server certificate it signs.

Nothing in the project turns certificate verification off; instead every client is handed `ca.pem`.
The CA is kept in a state directory so that a client configured once keeps trusting restarted sandboxes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import trustme
from filelock import FileLock

# The names a client may use to reach a sandbox on this machine.
SERVER_NAMES = ("127.0.0.1", "localhost", "::1")

CA_CERT_FILE = "ca.pem"
CA_KEY_FILE = "ca.key"
SERVER_CERT_FILE = "server.pem"
SERVER_KEY_FILE = "server.key"
LOCK_FILE = ".tls.lock"


@dataclass(frozen=True)
class TlsFiles:
    """Paths of the PEM files a sandbox serves with (`cert_file`, `key_file`) and clients trust (`ca_file`)."""

    directory: Path
    ca_file: Path
    cert_file: Path
    key_file: Path


def _write_private(path: Path, pem: bytes) -> None:
    # Keys are throwaway, but still only readable by their owner.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


def _load_or_create_ca(directory: Path) -> trustme.CA:
    cert_path, key_path = directory / CA_CERT_FILE, directory / CA_KEY_FILE
    if cert_path.is_file() and key_path.is_file():
        return trustme.CA.from_pem(cert_path.read_bytes(), key_path.read_bytes())
    ca = trustme.CA(organization_name="crm-kpi sandbox")
    _write_private(key_path, ca.private_key_pem.bytes())
    ca.cert_pem.write_to_path(str(cert_path))
    return ca


def ensure_tls(directory: str | os.PathLike[str]) -> TlsFiles:
    """Create (or reuse) the CA in `directory` and make sure a server certificate signed by it exists.

    Reusing an existing CA keeps clients that already trust `ca.pem` working across restarts.
    """
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    files = TlsFiles(
        directory=root,
        ca_file=root / CA_CERT_FILE,
        cert_file=root / SERVER_CERT_FILE,
        key_file=root / SERVER_KEY_FILE,
    )
    # Several sandboxes (threads or separate `crm-kpi sandbox` processes) may start at once on one state
    # directory: a file lock makes the first create the CA and the others reuse it.
    with FileLock(root / LOCK_FILE):
        ca_existed = files.ca_file.is_file() and (root / CA_KEY_FILE).is_file()
        ca = _load_or_create_ca(root)
        if ca_existed and files.cert_file.is_file() and files.key_file.is_file():
            return files
        server = ca.issue_cert(*SERVER_NAMES)
        _write_private(files.key_file, server.private_key_pem.bytes())
        files.cert_file.write_bytes(b"".join(blob.bytes() for blob in server.cert_chain_pems))
    return files
