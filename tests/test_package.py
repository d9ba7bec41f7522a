from typer.testing import CliRunner

from sync.cli import app


def test_help_lists_the_command() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "Sales KPIs" in result.output


def test_python_dash_m_runs_the_same_command_with_every_subcommand() -> None:
    import subprocess
    import sys

    for module in ("sync", "sync.cli"):
        result = subprocess.run(
            [sys.executable, "-m", module, "--help"], capture_output=True, text=True, check=True
        )
        assert "compute" in result.stdout and "sandbox" in result.stdout, module
