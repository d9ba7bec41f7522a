"""`crm-kpi schema`: its JSON Schema accepts a normalised record and rejects a bad one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from sync.cli import app

GOOD_DEAL = {
    "source": "salesforce",
    "id": "006A",
    "deleted": False,
    "modified_at": "2024-03-02T09:00:00Z",
    "stage": "Closed Won",
    "probability": 1.0,
    "forecast_category": "closed",
    "type": "new_business",
    "amount": 1200.5,
    "created_at": "2024-03-01T10:00:00Z",
    "close_date": "2024-03-05",
    "is_closed": True,
    "is_won": True,
}


def run(*args: str) -> Any:
    result = CliRunner().invoke(app, ["schema", *args])
    return result


def validator_for(document: dict[str, Any], record_type: str) -> jsonschema.Draft202012Validator:
    schema = {"$ref": f"#/$defs/{record_type}", "$defs": document["$defs"]}
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_the_document_maps_every_input_file_to_a_record_type() -> None:
    result = run()
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(document)
    assert document["files"]["opportunities.jsonl"] == {"$ref": "#/$defs/Opportunity"}
    assert document["files"]["quotas.csv"] == {"$ref": "#/$defs/Quota"}
    assert len(document["files"]) == 10  # 8 JSON Lines files + quotas.csv + spend.csv


def test_a_normalised_record_validates() -> None:
    document = json.loads(run().stdout)
    assert list(validator_for(document, "Opportunity").iter_errors(GOOD_DEAL)) == []


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"amount": "1,200.50"}, "amount"),  # the loader accepts it; the normalised record is a number
        ({"forecast_category": "Best Case"}, "forecast_category"),
        ({"probability": 40}, "probability"),
        ({"modified_at": 1709287200000}, "modified_at"),  # normalised datetimes are ISO 8601 text
        ({"source": "pipedrive"}, "source"),
    ],
)
def test_a_bad_record_is_rejected_at_its_field(change: dict[str, Any], path: str) -> None:
    document = json.loads(run().stdout)
    errors = list(validator_for(document, "Opportunity").iter_errors(GOOD_DEAL | change))
    assert [list(error.absolute_path) for error in errors] == [[path]]


def test_a_missing_required_field_is_rejected() -> None:
    document = json.loads(run().stdout)
    deal = {k: v for k, v in GOOD_DEAL.items() if k != "stage"}
    (error,) = validator_for(document, "Opportunity").iter_errors(deal)
    assert "'stage' is a required property" in error.message


def test_one_record_type_and_an_output_file(tmp_path: Path) -> None:
    target = tmp_path / "deal.json"
    result = run("--record", "opportunity", "--output", str(target))
    assert result.exit_code == 0
    schema = json.loads(target.read_text())
    assert schema["title"] == "Opportunity"
    assert jsonschema.Draft202012Validator(schema).is_valid(GOOD_DEAL)
    assert not jsonschema.Draft202012Validator(schema).is_valid(GOOD_DEAL | {"is_won": "yes"})


def test_an_unknown_record_type_lists_the_known_ones() -> None:
    result = run("--record", "invoice")
    assert result.exit_code == 2
    assert "--record 'invoice': unknown record type" in result.stderr
    assert "stage_change" in result.stderr


def test_help_says_what_it_is_for() -> None:
    result = CliRunner().invoke(app, ["schema", "--help"])
    assert result.exit_code == 0
    assert "compute --input" in result.stdout
