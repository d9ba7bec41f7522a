"""One module per command; `sync.cli.COMMANDS` registers each explicitly (docs/architecture.md, "CLI conventions")."""
