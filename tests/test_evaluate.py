"""`evaluate()` on hand-made gold and run files with exact expected numbers, and the two CLI verbs."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.aggregate import CONTRACT_ENTITY_COLUMNS
from pipeline.cli import main
from pipeline.evaluate import EvaluationError, evaluate, prf

GOLD = {
    "vocabulary": ["ars", "caf", "ctg", "france_travail"],
    "contracts": [
        {
            "contract_id": "c1",
            "partners": [
                {
                    "entity_id": "france_travail",
                    "signataire": True,
                    "pages": [9],
                    "themes": ["emploi"],
                    "surfaces": ["France Travail"],
                },
                {"entity_id": "ars", "signataire": False, "pages": [4], "themes": ["sante"], "surfaces": ["ARS"]},
            ],
            "dispositifs": [{"entity_id": "ctg", "pages": [5], "themes": ["acces_droits"], "surfaces": ["CTG"]}],
        },
        {
            "contract_id": "c2",
            "partners": [
                {
                    "entity_id": "france_travail",
                    "signataire": True,
                    "pages": [2],
                    "themes": ["emploi"],
                    "surfaces": ["Pôle emploi"],
                }
            ],
            "dispositifs": [],
        },
    ],
}
ENTITIES = [
    ("c1", "france_travail", "partenaire", 1, 1, "emploi"),
    ("c1", "caf", "partenaire", 0, 1, ""),
    ("c1", "ctg", "dispositif", 0, 1, "education_jeunesse"),
    ("c2", "france_travail", "partenaire", 0, 1, "emploi|gouvernance"),
    ("c2", "insee", "partenaire", 0, 1, ""),
]


def _write(path: Path, header: list[str], rows: list[tuple[object, ...]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    gold = tmp_path / "gold.json"
    gold.write_text(json.dumps(GOLD), encoding="utf-8")
    run = tmp_path / "run"
    run.mkdir()
    _write(
        run / "contract_entities.csv",
        CONTRACT_ENTITY_COLUMNS,
        [(c, e, e, "", k, s, m, 1, "1", t) for c, e, k, s, m, t in ENTITIES],
    )
    _write(run / "contracts.csv", ["contract_id", "file", "status"], [("c1", "c1.pdf", "ok"), ("c2", "c2.pdf", "ok")])
    _write(
        run / "detections.csv",
        ["detection_id", "contract_id", "entity_id", "role", "page", "snippet", "status"],
        [("d1", "c1", "caf", "mentionne", 3, "avec la CAF de l'Aude", "auto")],
    )
    return gold, run


def test_prf_edge_cases() -> None:
    assert prf(set(), set())["f1"] == 1.0
    assert prf({1}, set()) == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "tp": 0, "fp": 0, "fn": 1}


def test_exact_scores(files: tuple[Path, Path]) -> None:
    result = evaluate(*files)
    assert result["partners"] == {"precision": 0.6667, "recall": 0.6667, "f1": 0.6667, "tp": 2, "fp": 1, "fn": 1}
    assert result["signatories"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "tp": 1, "fp": 0, "fn": 1}
    assert result["dispositifs"]["f1"] == 1.0
    assert result["themes"] == {"accuracy": 0.5, "correct": 2, "total": 4}
    assert result["tables"]["max_abs_error_pts"] == 50.0
    assert result["tables"]["mean_abs_error_pts"] == round(150 / 7, 2)
    assert result["tables"]["n_cells"] == 7
    assert result["ignored_entities"] == ["insee"]


def test_errors_carry_page_and_snippet(files: tuple[Path, Path]) -> None:
    per = evaluate(*files)["per_contract"]
    assert [(e["entity_id"], e["pages"], e["snippet"]) for e in per["c1"]["false_positives"]] == [
        ("caf", [3], "avec la CAF de l'Aude")
    ]
    assert [(e["entity_id"], e["measure"], e["pages"]) for e in per["c1"]["misses"]] == [("ars", "partenaires", [4])]
    assert [(e["entity_id"], e["measure"], e["snippet"]) for e in per["c2"]["misses"]] == [
        ("france_travail", "signataires", "Pôle emploi")
    ]


def test_missing_run_is_a_french_error(tmp_path: Path, files: tuple[Path, Path]) -> None:
    with pytest.raises(EvaluationError, match="introuvable"):
        evaluate(files[0], tmp_path / "absent")


def test_cli_evaluate_json_and_summary(files: tuple[Path, Path]) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["evaluate", "--gold", str(files[0]), "--run", str(files[1]), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["partners"]["f1"] == 0.6667 and data["scores"]["tables.max_abs_error_pts"] == 50.0
    for key in ("signatories", "dispositifs", "themes", "tables"):
        assert key in data
    summary = runner.invoke(main, ["evaluate", "--gold", str(files[0]), "--run", str(files[1])])
    assert summary.exit_code == 0
    assert "Partenaires (présence)" in summary.output and "faux positif" in summary.output


def test_cli_errors_and_help(tmp_path: Path, files: tuple[Path, Path]) -> None:
    runner = CliRunner()
    bad = runner.invoke(main, ["evaluate", "--gold", str(files[0]), "--run", str(tmp_path / "absent")])
    assert bad.exit_code == 1 and "Erreur" in bad.output
    for verb in ("evaluate", "demo-corpus"):
        help_text = runner.invoke(main, [verb, "--help"])
        assert help_text.exit_code == 0 and "Exemple :" in help_text.output


def test_cli_demo_corpus(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["demo-corpus", "--out", str(tmp_path / "demo"), "--n", "1", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "1 contrat, " in result.output and "1 contrats" not in result.output
    assert (tmp_path / "demo" / "gold.json").exists() and (tmp_path / "demo" / "manifest.csv").exists()
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "x.txt").write_text("x")
    refused = runner.invoke(main, ["demo-corpus", "--out", str(foreign), "--n", "1"])
    assert refused.exit_code == 1 and "Erreur" in refused.output


def test_candidates_recall_and_noise_per_contract(tmp_path: Path) -> None:
    from pipeline.evaluate import candidate_scores, same_organisation

    contracts = [
        {
            "contract_id": "a",
            "out_of_lexicon": [{"name": "Agence de services et de paiement"}, {"name": "Ville et Banlieue"}],
            "acceptable_candidates": ["Saint-Flour Communauté"],
        },
        {"contract_id": "b", "out_of_lexicon": []},
    ]
    _write(
        tmp_path / "candidates.csv",
        ["name", "contracts"],
        [
            ("Agence de Service et de Paiement", "a"),
            ("Saint-Flour Communauté", "a"),
            ("Politique de la Ville", "a|b"),
            ("Association", "a"),
        ],
    )
    scores = candidate_scores(contracts, tmp_path / "candidates.csv")
    assert (scores["found"], scores["total"], scores["recall"]) == (1, 2, 0.5)
    assert (scores["noise"], scores["noise_per_contract"]) == (3, 1.5)
    assert scores["missed"] == [{"contract_id": "a", "name": "Ville et Banlieue"}]
    assert not same_organisation("Association", "Association des maires de grandes villes")
    assert same_organisation("Délégation régionale académique", "la Délégation régionale académique (DRAJES)")
    assert same_organisation("Association Unis cité", "Unis cité")  # rpm32: the word before a coined name
    assert not same_organisation("Association des maires de France", "Maires de France")
    assert same_organisation("ADCF", "Assemblée des communautés de France")  # rqd25: the acronym, the row's name
    assert same_organisation("Direction de l'Evaluation, de la Performance, des Affaires Financières", "DEPAF")
    assert not same_organisation("Ragni", "Réseau Associatif")  # a word is no acronym
    assert not same_organisation("adie", "Association pour le droit à l'initiative économique")


def test_a_mixed_case_acronym_is_the_name_it_spells() -> None:
    """rts15, rtu09: the gold names « Adie » and « Anpeec », the candidates their defined names."""
    from pipeline.evaluate import same_organisation

    assert same_organisation("Adie", "Association pour le droit à l'initiative économique")
    assert same_organisation(
        "Anpeec", "Agence nationale pour la participation des employeurs à l'effort de construction"
    )
    assert not same_organisation("Adie", "Association pour le développement")
    assert same_organisation("ÉPIDe", "Etablissement Pour l'Insertion Dans l'Emploi")  # rty13: an accented capital
    assert not same_organisation("Fondation Vinci pour la Cité", "Vinci")


def test_an_organisation_name_read_as_a_mapping_is_a_french_error(tmp_path: Path, files: tuple[Path, Path]) -> None:
    """Regression: an unquoted YAML name with « : » (« Quartiers 2030 : tous engagés ») became a mapping in the
    gold, and `cdv evaluate` died in a traceback."""
    gold = json.loads(files[0].read_text(encoding="utf-8"))
    gold["contracts"][0]["acceptable_candidates"] = [{"Quartiers 2030": "tous engagés"}]
    path = tmp_path / "gold.json"
    path.write_text(json.dumps(gold), encoding="utf-8")
    result = CliRunner().invoke(main, ["evaluate", "--gold", str(path), "--run", str(files[1])])
    assert result.exit_code == 1
    assert "nom d'organisation qui n'est pas un texte" in result.output and "guillemets" in result.output


def test_an_organisation_added_to_the_lexicons_after_labelling_is_found_not_a_false_positive(tmp_path: Path) -> None:
    """The gold named « ERDF » and « Keolis » outside the lexicons; the lexicons the run read (`run.json`) now
    hold Enedis (former name ERDF) and Keolis: they are found organisations, not false positives; the group
    the gold did not label stays a false positive."""
    gold = {
        "contracts": [
            {
                "contract_id": "c1",
                "partners": [{"entity_id": "caf", "signataire": False}],
                "dispositifs": [],
                "out_of_lexicon": [{"name": "ERDF"}, {"name": "Keolis"}, {"name": "Pimms Dijon"}],
            }
        ]
    }
    (tmp_path / "gold.json").write_text(json.dumps(gold), encoding="utf-8")
    run = tmp_path / "run"
    run.mkdir()
    rows = [("caf", "Caisse d'allocations familiales"), ("enedis", "Enedis"), ("keolis", "Keolis")]
    rows.append(("entreprises_privees", "Entreprises privées signataires"))
    _write(
        run / "contract_entities.csv",
        CONTRACT_ENTITY_COLUMNS,
        [("c1", e, n, "", "partenaire", 0, 1, 1, "1", "") for e, n in rows],
    )
    _write(run / "candidates.csv", ["name", "contracts"], [("Pimms Dijon", "c1")])
    lexicons = Path(__file__).resolve().parents[1] / "lexicons"
    (run / "run.json").write_text(json.dumps({"lexicon_dir": str(lexicons)}), encoding="utf-8")
    result = evaluate(tmp_path / "gold.json", run)
    assert result["partners"] == {"precision": 0.5, "recall": 1.0, "f1": 0.6667, "tp": 1, "fp": 1, "fn": 0}
    assert result["ignored_entities"] == ["enedis", "keolis"]
    assert (result["candidates"]["found"], result["candidates"]["total"], result["candidates"]["noise"]) == (3, 3, 0)
