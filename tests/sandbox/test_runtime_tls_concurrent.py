"""Sandboxes started at the same moment on one state directory must agree on one CA."""

import ssl
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from sandbox.tls import ensure_tls


def _ensure(directory: str) -> bytes:
    return ensure_tls(directory).ca_file.read_bytes()


def test_processes_racing_on_one_state_dir_share_one_ca(tmp_path: Path) -> None:
    with ProcessPoolExecutor(max_workers=4) as pool:
        cas = list(pool.map(_ensure, [str(tmp_path)] * 8))
    # Every process saw the same CA, and the server certificate left on disk is signed by it.
    assert len(set(cas)) == 1
    files = ensure_tls(tmp_path)
    assert files.ca_file.read_bytes() == cas[0]
    context = ssl.create_default_context(cafile=str(files.ca_file))
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(str(files.cert_file), str(files.key_file))
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    client_in, client_out = ssl.MemoryBIO(), ssl.MemoryBIO()
    client = context.wrap_bio(client_in, client_out, server_hostname="127.0.0.1")
    served = server.wrap_bio(incoming, outgoing, server_side=True)
    for _ in range(10):  # drive the handshake in memory; verification failures raise here
        for side in (client, served):
            try:
                side.do_handshake()
            except ssl.SSLWantReadError:
                pass
        incoming.write(client_out.read())
        client_in.write(outgoing.read())
    assert client.getpeercert()["subjectAltName"]
