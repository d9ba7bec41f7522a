"""`Runtime`: the state one sandbox instance shares between the request pipeline and its CRM app.

Its own module so that the middleware, the plug-in contract and the CRM apps can name the type without
importing `sandbox.runtime` (which assembles them all).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sandbox.clock import Clock
from sandbox.dialect import Dialect
from sandbox.faults import FaultPlan
from sandbox.ledger import Ledger
from sandbox.limits import RateLimiter
from sandbox.tokens import TokenStore


@dataclass
class Runtime:
    """Everything shared by the pipeline and the CRM app of one sandbox instance."""

    instance: str
    dialect: Dialect
    clock: Clock
    ledger: Ledger
    tokens: TokenStore
    limits: RateLimiter
    faults: FaultPlan
    state_dir: Path
    base_url: str = ""  # final before the CRM app's build() is called
