"""Aggregate and report stages: contract × entity rows, percentages over contracts read, atomic outputs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.aggregate import (
    articulation_table,
    detections_to_contract_entities,
    detections_to_frame,
    partner_table,
)
from pipeline.files import staged_directory
from pipeline.lexicon import Lexicon
from pipeline.report import OutputDirError, check_output_dir
from pipeline.types import Detection


def detection(
    contract: str, entity: str, kind: str, role: str, page: int, theme: str = "", status: str = "auto"
) -> Detection:
    return Detection(
        detection_id=f"{contract}-{entity}-{page}",
        contract_id=contract,
        entity_id=entity,
        entity_name=entity,
        entity_acronym="",
        kind=kind,
        role=role,
        theme=theme,
        page=page,
        start=0,
        end=3,
        snippet="…",  # type: ignore[arg-type]
        score=0.9,
        method="nom",
        status=status,  # type: ignore[arg-type]
    )


@pytest.fixture()
def contract_entities() -> pd.DataFrame:
    detections = [
        detection("A", "ars", "partenaire", "mentionne", 3, "sante"),
        detection("A", "ars", "partenaire", "signataire", 40, "gouvernance"),
        detection("A", "ars", "partenaire", "mentionne", 3, "sante"),
        detection("B", "ars", "partenaire", "mentionne", 12, "sante"),
        detection("B", "france_travail", "partenaire", "signataire", 30),
        detection("C", "france_travail", "partenaire", "mentionne", 2, status="rejete"),
        detection("A", "ctg", "dispositif", "articulation", 8, "education_jeunesse"),
    ]
    return detections_to_contract_entities(detections_to_frame(detections))


def test_contract_entity_rows(contract_entities: pd.DataFrame) -> None:
    ars_a = contract_entities.set_index(["contract_id", "entity_id"]).loc[("A", "ars")]
    assert (ars_a["signataire"], ars_a["mentionne"], ars_a["n_mentions"]) == (1, 1, 3)
    assert (ars_a["pages"], ars_a["themes"]) == ("3|40", "gouvernance|sante")
    pairs = set(zip(contract_entities.contract_id, contract_entities.entity_id, strict=True))
    assert ("C", "france_travail") not in pairs


def test_percentages_are_over_contracts_read_and_mentionne_includes_signatories(
    contract_entities: pd.DataFrame, lexicon: Lexicon
) -> None:
    partners = partner_table(contract_entities, lexicon, n_read=4).set_index("entity_id")
    assert partners.loc["ars", ["n_signataire", "pct_signataire", "n_mentionne", "pct_mentionne"]].tolist() == [
        1,
        25.0,
        2,
        50.0,
    ]
    assert partners.loc["france_travail", ["n_signataire", "n_mentionne"]].tolist() == [1, 1]
    assert partners.loc["cerema", "n_mentionne"] == 0
    schemes = articulation_table(contract_entities, lexicon, n_read=4).set_index("entity_id")
    assert schemes.loc["ctg", ["scope", "n_mentionne", "pct_mentionne"]].tolist() == ["droit commun", 1, 25.0]


def test_failed_staging_leaves_previous_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "run"
    with staged_directory(out) as staging:
        (staging / "run.json").write_text("{}", encoding="utf-8")
    with pytest.raises(RuntimeError), staged_directory(out) as staging:
        (staging / "run.json").write_text('{"half": ', encoding="utf-8")
        raise RuntimeError("interrompu")
    assert (out / "run.json").read_text(encoding="utf-8") == "{}"
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_output_dir_that_is_not_a_run_is_refused(tmp_path: Path) -> None:
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "note.txt").write_text("à garder", encoding="utf-8")
    with pytest.raises(OutputDirError, match="n'est pas un résultat de cdv"):
        check_output_dir(tmp_path / "documents", tmp_path / "corpus")
    with pytest.raises(OutputDirError, match="contient le corpus"):
        check_output_dir(tmp_path, tmp_path / "corpus")


def test_named_landlord_counts_for_the_social_landlords_group(lexicon: Lexicon) -> None:
    member = next(e.entity_id for e in lexicon.entities if e.group == "bailleurs_sociaux")
    detections = [
        detection("A", member, "partenaire", "signataire", 40),
        detection("A", "bailleurs_sociaux", "partenaire", "mentionne", 5, "cadre_vie"),
        detection("B", member, "partenaire", "mentionne", 7, "cadre_vie"),
    ]
    table = detections_to_contract_entities(detections_to_frame(detections), lexicon)
    rows = table.set_index(["contract_id", "entity_id"])
    assert rows.loc[("A", "bailleurs_sociaux"), ["signataire", "n_mentions", "pages"]].tolist() == [1, 2, "5|40"]
    assert rows.loc[("B", "bailleurs_sociaux"), ["signataire", "mentionne"]].tolist() == [0, 1]
    assert rows.loc[("A", member), "signataire"] == 1


def test_banque_des_territoires_is_not_counted_for_the_cdc(lexicon: Lexicon) -> None:
    detections = [detection("A", "banque_des_territoires", "partenaire", "signataire", 40)]
    table = detections_to_contract_entities(detections_to_frame(detections), lexicon)
    assert table["entity_id"].tolist() == ["banque_des_territoires"]
