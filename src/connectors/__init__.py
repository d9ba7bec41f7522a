"""CRM connectors: auth, retry and rate budget, incremental extract, batched writes (per CRM)."""
