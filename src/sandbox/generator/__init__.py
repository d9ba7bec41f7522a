"""The deterministic org generator: a CRM org's records as the shared schema's tables (polars frames).

    from sandbox.generator import generate_org
    org = generate_org("small", seed=0)
    org.tables["opportunities"]; org.write_jsonl("out/")

Used by the sandbox CRMs (which render the tables into native records), the engine benchmark and the demo.
"""

from sandbox.generator.org import Org, generate_org
from sandbox.generator.spec import SIZES, OrgSpec

__all__ = ["SIZES", "Org", "OrgSpec", "generate_org"]
