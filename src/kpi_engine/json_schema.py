"""The JSON Schema of the normalised records, as `crm-kpi schema` prints it.

It describes the clean records (what a connector writes and `compute --input` reads after
normalisation): amounts are numbers, datetimes are ISO 8601 with an offset, enums are their canonical
values. The loader is more lenient than this schema (see docs/schema.md), never less.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from kpi_engine.schema import RECORD_FILES, TABLE_FILES

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _input_files() -> dict[str, type[BaseModel]]:
    return {name: model for name, model in RECORD_FILES.values()} | {
        name: model for name, model in TABLE_FILES.values()
    }


def record_type_names() -> dict[str, type[BaseModel]]:
    """Record types by snake-case name: 'opportunity', 'stage_change', 'pipeline_stage', 'quota', ..."""
    models = [model for _, model in (RECORD_FILES | TABLE_FILES).values()]
    return {"".join(f"_{c.lower()}" if c.isupper() else c for c in m.__name__).lstrip("_"): m for m in models}


def find_record_type(name: str) -> type[BaseModel] | None:
    """A record type by its snake-case name, class name or table name ('opportunities'), any case."""
    wanted = name.strip().lower()
    for snake, model in record_type_names().items():
        table = next(t for t, (_, m) in (RECORD_FILES | TABLE_FILES).items() if m is model)
        if wanted in (snake, model.__name__.lower(), table):
            return model
    return None


def records_schema() -> dict[str, Any]:
    """One document: `$defs` per record type, and `files` mapping each input file to its record type.

    Validate one record with `{"$ref": "#/$defs/Opportunity", "$defs": doc["$defs"]}`.
    """
    models = list(dict.fromkeys(_input_files().values()))
    _, definitions = models_json_schema(
        [(model, "validation") for model in models], ref_template="#/$defs/{model}"
    )
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": "crm-kpi normalised records",
        "description": (
            "The shared schema of crm-kpi: one record type per input file of `crm-kpi compute --input DIR` "
            "(JSON Lines, one record per line; quotas and spend are CSV with these columns)."
        ),
        "$defs": definitions["$defs"],
        "files": {name: {"$ref": f"#/$defs/{model.__name__}"} for name, model in _input_files().items()},
    }


def record_schema(name: str) -> dict[str, Any]:
    """The standalone schema of one record type (`find_record_type` names); KeyError if unknown."""
    model = find_record_type(name)
    if model is None:
        raise KeyError(name)
    return {"$schema": JSON_SCHEMA_DIALECT} | model.model_json_schema()
