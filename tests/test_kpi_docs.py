from pathlib import Path

from kpi_engine.docs import render

DOCS = Path(__file__).resolve().parents[1] / "docs" / "kpis.md"


def test_committed_kpi_docs_match_the_catalog() -> None:
    assert DOCS.read_text() == render(), "docs/kpis.md is stale: run `make docs`"
