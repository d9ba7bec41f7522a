"""One module per command; `sync.cli.COMMANDS` registers each explicitly.

See docs/architecture.md, "CLI conventions: how to add a command".
"""
