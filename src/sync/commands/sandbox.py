"""`crm-kpi sandbox`: serve a sandbox CRM in the foreground (thin: everything lives in `sandbox`)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from sync.cli_errors import CliError, ExitCode
from sync.cli_input import OrgSize, output_directory, parse_date

EXAMPLES = """\
Examples:

    crm-kpi sandbox --crm salesforce --generate --size small

    crm-kpi sandbox --crm hubspot --data my-export/ --faults '429@rate=0.05,retry_after=1'
"""


class CrmChoice(StrEnum):
    salesforce = "salesforce"
    hubspot = "hubspot"


def _load_org(
    crm: str, generate: bool, size: str, seed: int, as_of: dt.date | None, data: Path | None
) -> Any:
    from sandbox.plugin import SandboxDataError, SandboxSetupError
    from sandbox.runtime import load_plugin

    if generate == (data is not None):
        raise CliError("choose exactly one of --generate (a generated org) or --data DIR (your own export)")
    if data is not None:
        if not data.is_dir():
            raise CliError(f"--data {data}: not a directory; give the directory of your export")
        try:
            plugin = load_plugin(crm)
        except SandboxSetupError as error:
            raise CliError(str(error), ExitCode.FAILED) from None
        try:
            return plugin.load_data(data)
        except SandboxDataError as error:
            raise CliError(f"--data {data}: {error}", ExitCode.FAILED) from None
    from sandbox.generator import generate_org

    # Ids in the CRM's own shape (Salesforce 18-character ids, HubSpot numbers); the records are the same.
    return generate_org(size=size, seed=seed, as_of=as_of, source=crm)


def sandbox_command(
    crm: Annotated[CrmChoice, typer.Option("--crm", help="Which CRM to serve.", case_sensitive=False)],
    generate: Annotated[
        bool, typer.Option("--generate", help="Serve a generated org (see --size, --seed, --as-of).")
    ] = False,
    size: Annotated[
        OrgSize,
        typer.Option(
            metavar="SIZE", help="Generated org size: tiny (tests), small, medium, large (benches)."
        ),
    ] = OrgSize.small,
    seed: Annotated[int, typer.Option(help="Seed of the generated org and of random faults.")] = 0,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Generated org's 'today' (YYYY-MM-DD); default today.")
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="Serve your own export from this directory "
            "(Salesforce: CSV per object; HubSpot: JSON per object type).",
        ),
    ] = None,
    faults: Annotated[
        str | None,
        typer.Option(
            help="Fault spec, e.g. '429@rate=0.05,retry_after=1;503@calls=3,7;"
            "drop@label=query,calls=2;expire@after=50' (docs/sandbox.md)."
        ),
    ] = None,
    limits: Annotated[
        str | None, typer.Option(help="API limits, e.g. 'daily=250000,burst=100/10'; default the CRM's.")
    ] = None,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1; 0 picks a free one.", min=0, max=65535)] = 0,
    state_dir: Annotated[
        Path | None,
        typer.Option(
            "--state-dir",
            help="Where ca.pem and the server key live (reused across runs); default a temporary directory.",
        ),
    ] = None,
    instance: Annotated[
        str | None, typer.Option(help="Instance name in the ledger; default the CRM name.")
    ] = None,
) -> None:
    """Serve a sandbox CRM over HTTPS until Ctrl-C or SIGTERM, to rehearse a configuration safely.

    First line of output: ONE JSON object {crm, base_url, token, ca_file, client_id, client_secret, instance}.

    Token and client credentials are the sandbox's own throwaway ones; clients must trust ca_file.
    """
    from sandbox.faults import FaultPlan, FaultSpecError
    from sandbox.limits import LimitConfig, LimitSpecError
    from sandbox.plugin import SandboxSetupError
    from sandbox.runtime import Sandbox, load_plugin

    try:
        plan = FaultPlan.parse(faults, seed=seed)
    except FaultSpecError as error:
        raise CliError(f"--faults: {error}") from None
    try:
        plugin = load_plugin(crm.value)
    except SandboxSetupError as error:
        raise CliError(str(error), ExitCode.FAILED) from None
    try:
        limit_config = LimitConfig.parse(limits, base=plugin.DIALECT.default_limits()) if limits else None
    except LimitSpecError as error:
        raise CliError(f"--limits: {error}") from None
    if state_dir is not None:
        output_directory("--state-dir", state_dir)
    org = _load_org(crm.value, generate, size.value, seed, parse_date("--as-of", as_of), data)
    sandbox = Sandbox(
        crm=crm.value,
        org=org,
        faults=plan,
        limits=limit_config,
        instance=instance,
        state_dir=state_dir,
        port=port,
        seed=seed,
    )

    def announce(running: Any) -> None:
        sys.stdout.write(json.dumps(running.connection()) + "\n")
        sys.stdout.flush()

    try:
        sandbox.serve_forever(on_ready=announce)
    except OSError as error:
        raise CliError(
            f"--port {port}: cannot serve on 127.0.0.1: {error.strerror or error}", ExitCode.FAILED
        ) from None
