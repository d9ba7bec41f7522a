"""simple-salesforce clients that trust the sandbox CA file (certificate verification stays on)."""

from __future__ import annotations

import requests
from simple_salesforce import Salesforce

from sandbox.runtime import RunningSandbox


def http_session(ca_file: str) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would override session.verify
    session.verify = ca_file
    return session


def client(sb: RunningSandbox, token: str | None = None) -> Salesforce:
    return Salesforce(session_id=token or sb.token, instance_url=sb.base_url, session=http_session(sb.ca_file))
