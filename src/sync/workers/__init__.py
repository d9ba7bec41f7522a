"""Runs on many machines: Celery workers over RabbitMQ, one shared PostgreSQL store (docs/scale-out.md).

- `jobs`: what one queued run is (`Job`: instance + run id) and what a worker does with it (`run_job`);
- `celery_app`: the Celery app, its settings for work that must not be lost, and the one task;
- `enqueue`: sending jobs (`crm-kpi sync --enqueue`, `crm-kpi schedule --enqueue`).
"""
