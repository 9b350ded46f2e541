"""The repository stands alone: the product never reads `../shared`, and the demo corpus it generates is the same
in any clone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import REFERENCE_DIR, REPO_ROOT

from pipeline.demo.territories import manifest_to_territories, territories

PRODUCT = [
    REPO_ROOT / "README.md",
    *sorted((REPO_ROOT / "pipeline").rglob("*.py")),
    *sorted((REPO_ROOT / "pipeline").rglob("*.html")),
    *(REPO_ROOT / folder / "README.md" for folder in ("corpus", "lexicons", "models", "outputs")),
    REPO_ROOT / "models" / "MODEL_CARD.md",
    REPO_ROOT / "scripts" / "install.sh",
]
SHARED = re.compile(r"\.\./shared|[\"']shared[\"']\s*/|/\s*[\"']shared[\"']|shared/reference")


def test_the_product_never_refers_to_the_shared_folder() -> None:
    offending = [str(path) for path in PRODUCT if path.exists() and SHARED.search(path.read_text(encoding="utf-8"))]
    assert offending == []


def test_demo_territories_come_from_the_repository_manifest() -> None:
    chosen = territories(40)
    assert len({t.contract_id for t in chosen}) == 40
    assert chosen[0].contract_id == "cdv-09-foix" and chosen[0].department == "Ariège"
    assert not any(t.contract_id.endswith(("-2", "-3", "-4")) for t in chosen)


def test_demo_territories_match_the_public_reference_list(tmp_path: Path) -> None:
    """The manifest reproduces the reference list, so seeds give the corpus they gave beside `../shared`."""
    reference = REFERENCE_DIR / "occitanie-contrats-2024.csv"
    if not reference.exists():
        pytest.skip("reference folder absent")
    converted = tmp_path / "reference-as-manifest.csv"
    rows = reference.read_text(encoding="utf-8").splitlines()
    header = rows[0].split(";")
    lines = ["contract_id,file,department_code,department,contract_name,epci,communes"]
    for index, line in enumerate(rows[1:]):
        cells = dict(zip(header, line.split(";"), strict=False))
        values = [f"r{index}", f"r{index}.pdf", cells["department_code"], cells["department"]]
        values += [cells["contract_name"], cells["epci"], cells["communes_and_qpv"]]
        lines.append(",".join('"' + value.replace('"', '""') + '"' for value in values))
    converted.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert manifest_to_territories(converted) == manifest_to_territories(REPO_ROOT / "corpus" / "manifest.csv")
