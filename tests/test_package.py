from typer.testing import CliRunner

from sync.cli import _register_commands, app

_register_commands()


def test_help_lists_the_command() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "Sales KPIs" in result.output
