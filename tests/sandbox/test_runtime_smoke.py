"""The runtime serves a CRM app over trusted HTTPS, records calls and checks tokens."""

from __future__ import annotations

from trusting_session import session_for


def test_dummy_app_served_and_counted(start_dummy) -> None:
    sandbox = start_dummy()
    session = session_for(sandbox)
    body = session.get(f"{sandbox.base_url}/records").json()
    assert [record["id"] for record in body["records"]] == ["001", "002"]
    session.get(f"{sandbox.base_url}/search")
    # Two calls, one per label, both 200.
    assert sandbox.ledger.count() == 2
    assert sandbox.ledger.count("records") == 1
    assert sandbox.ledger.count("search", status=200) == 1


def test_unknown_token_is_refused(start_dummy) -> None:
    sandbox = start_dummy()
    response = session_for(sandbox, token="not-issued-here").get(f"{sandbox.base_url}/records")
    assert response.status_code == 401
    assert response.json() == {"error": "invalid"}


def test_ledger_counts_exactly_under_concurrent_writers() -> None:
    import threading

    from sandbox.ledger import Ledger

    ledger = Ledger("acme")
    threads = [threading.Thread(target=lambda: [ledger.record("GET", "/q", "query", 200, 0.0) for _ in range(500)])
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 8 writers × 500 calls each.
    assert ledger.count("query") == 4_000
    assert ledger.by_label() == {"query": 4_000}
    ledger.reset()
    assert ledger.count() == 0


def test_concurrent_clients_are_all_recorded(start_dummy) -> None:
    from concurrent.futures import ThreadPoolExecutor

    sandbox = start_dummy()

    def fetch(_: int) -> int:
        return session_for(sandbox).get(f"{sandbox.base_url}/records").status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(fetch, range(40)))
    assert statuses == [200] * 40
    assert sandbox.ledger.count("records", status=200) == 40


def test_a_failing_crm_app_answers_the_dialect_500(start_dummy) -> None:
    sandbox = start_dummy()
    response = session_for(sandbox).get(f"{sandbox.base_url}/boom")
    assert (response.status_code, response.json()) == (500, {"error": "server 500"})
    assert sandbox.ledger.count(status=500) == 1


def test_a_bare_asgi_app_failing_before_answering_gets_the_dialect_500(start_dummy) -> None:
    async def failing_app(scope, receive, send) -> None:
        raise RuntimeError("a bug before any response")

    sandbox = start_dummy(app_factory=lambda org, runtime: (failing_app, {}))
    response = session_for(sandbox).get(f"{sandbox.base_url}/records")
    assert (response.status_code, response.json()) == (500, {"error": "server 500"})


def test_listening_socket_declares_tcp_so_asyncio_sets_nodelay() -> None:
    import socket

    from sandbox.server import bind_socket

    # asyncio only sets TCP_NODELAY on accepted sockets whose proto is IPPROTO_TCP; with proto 0 every
    # small response stalls on the client's delayed ACK (seen as ~22 pages/s in bench/sandbox_paging.py).
    sock = bind_socket()
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()
