"""``dancu demo`` loads the synthetic province through the import; ``dancu registry import`` and
``stats`` print JSON and exit 1 on a refused file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dancu.registry.cli import registry_app
from dancu.registry.demo import load_demo_province
from dancu.registry.importing import ImportReport
from dancu.registry.models import Household, ImportBatch, Person, Residence
from dancu.registry.tests.conftest import PEOPLE, write_csv

pytestmark = pytest.mark.django_db


def test_it_loads_the_same_demo_province_once() -> None:
    first = load_demo_province(people=400, seed=11)
    second = load_demo_province(people=400, seed=11)

    assert (first["created"], first["unchanged"], second["created"], second["unchanged"]) == (400, 0, 0, 400)
    assert Person.objects.count() == Residence.objects.count() == 400
    assert Household.objects.count() == first["households_created"]
    assert Person.objects.exclude(commune_code__startswith="1").count() == 0  # Hải Phòng's communes
    assert ImportBatch.objects.filter(actor_id="dancu-demo").count() == 2


def test_it_prints_the_register_counts(register: ImportReport) -> None:
    result = CliRunner().invoke(registry_app, ["stats"])

    assert result.exit_code == 0
    counts = json.loads(result.stdout)
    assert (counts["persons"], counts["households"], counts["alive"], counts["deceased"]) == (5, 2, 4, 1)


def test_it_imports_from_the_command_line_and_refuses_bad_files(tmp_path: Path) -> None:
    good = write_csv(tmp_path / "good.csv", PEOPLE)
    bad = write_csv(tmp_path / "bad.csv", [dict(PEOPLE[0], sex="?")])
    runner = CliRunner()

    imported = runner.invoke(registry_app, ["import", str(good), "--quiet"])
    refused = runner.invoke(registry_app, ["import", str(bad), "--quiet", "--report", str(tmp_path / "report.json")])

    assert imported.exit_code == 0
    assert json.loads(imported.stdout.splitlines()[-1])["created"] == 5
    assert refused.exit_code == 1
    assert "dòng/row 2, cột/column sex, giá trị/value '?'" in refused.stderr
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert [(e["row"], e["column"], e["code"]) for e in report["errors"]] == [(2, "sex", "sex.unknown")]
    assert Person.objects.count() == 5
