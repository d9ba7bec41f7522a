"""A requests session that trusts a running sandbox's CA, for the runtime tests."""

from __future__ import annotations

import requests

from sandbox.runtime import RunningSandbox


def session_for(sandbox: RunningSandbox, token: str | None = None) -> requests.Session:
    """A requests session that trusts the sandbox CA.

    trust_env=False: requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override `session.verify`.
    """
    session = requests.Session()
    session.trust_env = False
    session.verify = sandbox.ca_file
    session.headers["Authorization"] = f"Bearer {token or sandbox.token}"
    return session
