from typer.testing import CliRunner

from sync.cli import app


def test_help_lists_the_command() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "crm-kpi" in result.output or "Sales KPIs" in result.output
