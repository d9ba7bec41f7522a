"""One module per command (group); each registers itself on `sync.cli.app` when imported.

`sync.cli` imports every module here, so adding a command never touches a shared file.
"""
