"""Orchestration: the local store, runs, write-back plans, the scheduler and the CLI."""
