"""Lexicons: the real files load and cover the report; each validation error names its file and line."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.lexicon import Lexicon, LexiconError, default_lexicon_dir, load_lexicon
from pipeline.lexicon_check import check_lexicon

REPORT = Path(__file__).resolve().parents[2] / "shared" / "reference" / "000_f0aefb8cc47ea47e.txt"
# Ids the demo-corpus generator and the matcher were written against: they must never disappear.
ORIGINAL_IDS = [
    "etat",
    "france_travail",
    "mission_locale",
    "caf",
    "cpam",
    "msa",
    "carsat",
    "ars",
    "bailleurs_sociaux",
    "action_logement",
    "banque_des_territoires",
    "caisse_des_depots",
    "bpi",
    "cci",
    "cma",
    "chambre_agriculture",
    "drac",
    "ademe",
    "cerema",
    "anah",
    "anru",
    "anct",
    "ddets",
    "dreets",
    "conseil_regional",
    "conseil_departemental",
    "education_nationale",
    "procureur",
    "police_nationale",
    "gendarmerie",
    "police_municipale",
    "spip",
    "pjj",
    "ddfe",
    "cidff",
    "dilcrah",
    "defenseur_droits",
    "ccas",
    "centres_sociaux",
    "universite",
    "agence_eau",
    "parc_naturel_regional",
    "clspd",
    "ctg",
    "cls_sante",
    "clsm",
    "pacte_solidarites",
    "pedt",
    "pre",
    "atfpb",
    "gusp",
    "france_services",
    "cites_educatives",
    "npnru",
    "quartiers_ete",
    "vvv",
    "adultes_relais",
    "conseils_citoyens",
    "clas",
    "cej_jeune",
    "cls_securite",
    "plh",
    "opah",
    "emplois_francs",
    "paqte",
    "cordees_reussite",
    "pvd",
    "acv",
    "pcaet",
    "tzcld",
    "fph",
    "ctl",
    "cej_enfance",
]
THEME_IDS = {
    "gouvernance",
    "participation",
    "emploi",
    "sante",
    "culture",
    "education_jeunesse",
    "acces_droits",
    "cadre_vie",
    "securite",
    "transitions",
    "egalite_fh",
    "discriminations",
    "evaluation",
}


@pytest.fixture(scope="module")
def real() -> Lexicon:
    return load_lexicon(default_lexicon_dir())


def test_real_lexicons_pass_the_check_with_the_target_counts() -> None:
    report = check_lexicon(default_lexicon_dir())
    assert report.errors == []
    counts = report.counts
    assert counts["partners"] >= 100
    assert counts["dispositifs"] >= 120
    assert counts["acronym_senses"] >= 120
    assert counts["indicators"] >= 60
    assert counts["computable"] >= 40


def test_original_ids_and_themes_are_kept(real: Lexicon) -> None:
    assert set(ORIGINAL_IDS) <= set(real.by_id())
    assert {theme.theme_id for theme in real.themes} == THEME_IDS
    assert all(len(theme.keywords) >= 20 for theme in real.themes)


def test_report_choices_are_encoded(real: Lexicon) -> None:
    by_id = real.by_id()
    assert "Pôle emploi" in by_id["france_travail"].former_names
    assert {"UD-DIRECCTE", "DDCS", "DDCSPP"} <= set(by_id["ddets"].former_names)
    assert {"DIRECCTE", "DRJSCS"} <= set(by_id["dreets"].former_names)
    assert "CGET" in by_id["anct"].former_names
    assert by_id["banque_des_territoires"].group == ""  # counted apart from the CDC, as the report does
    assert {e.entity_id for e in real.group_members("chambres_consulaires")} == {"cci", "cma", "chambre_agriculture"}
    landlords = real.group_members("bailleurs_sociaux")
    assert len(landlords) >= 20 and all(e.category == "bailleur" for e in landlords)
    assert all(e.scope in {"droit commun", "politique de la ville"} for e in real.dispositifs)


def test_ambiguous_acronyms_list_every_sense(real: Lexicon) -> None:
    senses = real.acronym_senses()
    assert set(senses["CLS"]) == {"cls_sante", "cls_securite"} == set(real.ambiguous["CLS"])
    assert set(senses["CEJ"]) == {"cej_jeune", "cej_enfance"}
    assert set(real.ambiguous["SDE"]) == {"sde", "sde_energie"}  # a glossary sense: not an entity


def test_indicators_are_typed(real: Lexicon) -> None:
    by_id = {indicator.indicator_id: indicator for indicator in real.indicators}
    france_travail = by_id["gouv_france_travail_signataire"]
    assert (france_travail.entities, france_travail.role, france_travail.value_pct) == (
        ("france_travail",),
        "signataire",
        95.0,
    )
    assert by_id["eval_data_evaluation"].denominator_kind == "indicator"
    assert by_id["eval_data_evaluation"].denominator_refs == ("eval_data",)
    assert by_id["sante_cls_articulation"].computable == "manual"
    for indicator in real.indicators:
        for pattern in (indicator.patterns, indicator.near):
            re.compile(pattern)


def glossary_terms(text: str) -> list[str]:
    """The bold acronyms of the report's GLOSSAIRE section ("- **CTAI** • Contrat ...")."""
    section = text[text.rindex("GLOSSAIRE") :]
    return re.findall(r"^\s*-\s+\*\*(.+?)\*\*\s+•", section, flags=re.MULTILINE)


def is_declared(term: str, acronyms: set[str], surfaces: list[str]) -> bool:
    """An acronym is declared, or written as a whole word in a name or alias ("Dispositif AGIR")."""
    if term in acronyms:
        return True
    return any(re.search(rf"(?<![\w]){re.escape(term)}(?![\w])", surface) for surface in surfaces)


@pytest.mark.skipif(not REPORT.exists(), reason="regional report not available beside the clone")
def test_every_glossary_acronym_of_the_report_is_in_the_lexicons(real: Lexicon) -> None:
    terms = glossary_terms(REPORT.read_text(encoding="utf-8"))
    assert len(terms) >= 100
    acronyms = set(real.acronym_senses())
    surfaces = [s for e in real.entities for s in (e.name, *e.aliases, *e.former_names)]
    missing = []
    for raw in terms:
        term = raw.removeprefix("Dispositif ").strip()
        parts = re.fullmatch(r"(\w+)\((\w+)\)", term)  # PRS(E): PRS and PRSE
        expanded = [parts[1], parts[1] + parts[2]] if parts else []
        if not is_declared(term, acronyms, surfaces) and not (
            expanded and all(is_declared(x, acronyms, surfaces) for x in expanded)
        ):
            missing.append(raw)
    assert missing == []


# --- validation errors on deliberately broken copies -------------------------------------------------


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "lexicons"
    shutil.copytree(default_lexicon_dir(), target)
    return target


def append_row(directory: Path, file: str, values: dict[str, str]) -> int:
    """Append a row (missing columns empty) and return its line number."""
    path = directory / file
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow([values.get(column, "") for column in header])
    return len(path.read_text(encoding="utf-8").splitlines())


def rename_column(directory: Path, file: str, old: str, new: str) -> None:
    path = directory / file
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[0] = ",".join(new if column == old else column for column in lines[0].split(","))
    path.write_text("\n".join(lines), encoding="utf-8")


PARTNER = {"id": "nouveau", "name": "Nouveau partenaire", "category": "associatif", "themes": "emploi"}
SCHEME = {"id": "nouveau_dispositif", "name": "Nouveau dispositif", "scope": "droit commun", "themes": "emploi"}
INDICATOR = {
    "id": "nouvel_indicateur",
    "label": "Nouvel indicateur",
    "theme": "emploi",
    "entities": "caf",
    "source": "4.1 Emploi",
    "computable": "yes",
    "value_pct": "10",
}

BROKEN = [
    ("partners.csv", {**PARTNER, "id": "caf"}, "id en double « caf »"),
    ("partners.csv", {**PARTNER, "name": ""}, "nom vide"),
    ("partners.csv", {**PARTNER, "acronyms": "CAF"}, "sigle « CAF » partagé"),
    ("partners.csv", {**PARTNER, "aliases": "Caisse d'allocations familiales"}, "partagé par « caf »"),
    ("partners.csv", {**PARTNER, "patterns": r"CAF\s+(de"}, "expression régulière invalide"),
    ("partners.csv", {**PARTNER, "themes": "sport"}, "thème inconnu « sport »"),
    ("partners.csv", {**PARTNER, "group": "inconnu"}, "groupe « inconnu » inconnu"),
    ("partners.csv", {**PARTNER, "category": "mairie"}, "catégorie inconnue « mairie »"),
    ("partners.csv", {**PARTNER, "id": "Mauvais Id"}, "invalide"),
    ("dispositifs.csv", {**SCHEME, "scope": "droit comun"}, "portée « droit comun » invalide"),
    ("glossary.csv", {"id": "caf", "acronyms": "ZZZ", "name": "Doublon"}, "id en double « caf »"),
    ("glossary.csv", {"id": "zzq", "acronyms": "ZZQ", "name": "X", "organisation": "non"}, "organisation « non »"),
    ("ambiguous.csv", {"acronym": "XYZ", "senses": "caf|inconnu"}, "sens inconnu « inconnu »"),
    ("ambiguous.csv", {"acronym": "CAF", "senses": "caf|cpam"}, "« cpam » ne porte pas le sigle « CAF »"),
    ("indicators.csv", {**INDICATOR, "entities": "inconnu"}, "entité inconnue « inconnu »"),
    ("indicators.csv", {**INDICATOR, "id": "gouv_ars_signataire"}, "id en double"),
    ("indicators.csv", {**INDICATOR, "computable": "peut-être"}, "computable « peut-être » invalide"),
    ("indicators.csv", {**INDICATOR, "role": "articulation"}, "incompatible avec « caf »"),
    ("indicators.csv", {**INDICATOR, "patterns": "(emploi"}, "expression régulière invalide"),
    ("indicators.csv", {**INDICATOR, "denominator": "entity:inconnu"}, "dénominateur : entité inconnu"),
    ("indicators.csv", {**INDICATOR, "value_pct": "120"}, "entre 0 et 100"),
    ("indicators.csv", {**INDICATOR, "section": "sport"}, "thème inconnu « sport »"),
    ("indicators.csv", {**INDICATOR, "entities": "", "patterns": ""}, "sans entités ni motifs"),
]


@pytest.mark.parametrize(("file", "row", "message"), BROKEN, ids=[f"{f}:{m}" for f, _, m in BROKEN])
def test_each_error_names_its_file_and_line(copy: Path, file: str, row: dict[str, str], message: str) -> None:
    line = append_row(copy, file, row)
    errors = [str(error) for error in check_lexicon(copy).errors]
    assert any(error.startswith(f"{file}:{line}: ") and message in error for error in errors), errors
    with pytest.raises(LexiconError, match=re.escape(file)):
        load_lexicon(copy)


def test_unknown_and_missing_columns_are_reported_on_the_header(copy: Path) -> None:
    rename_column(copy, "partners.csv", "aliases", "alias")
    rename_column(copy, "ambiguous.csv", "senses", "sens")
    errors = [str(error) for error in check_lexicon(copy).errors]
    assert any(e.startswith("partners.csv:1: colonne inconnue « alias »") for e in errors)
    assert any(e.startswith("ambiguous.csv:1: colonne obligatoire manquante « senses »") for e in errors)


def test_missing_required_file_is_an_error_and_optional_files_may_be_absent(copy: Path) -> None:
    (copy / "indicators.csv").unlink()
    (copy / "glossary.csv").unlink()
    assert any("sens inconnu « sde_energie »" in str(e) for e in check_lexicon(copy).errors)
    (copy / "ambiguous.csv").unlink()
    (copy / "partners.csv").write_text(  # without ambiguous.csv, CTE must be carried by one entity only
        (copy / "partners.csv").read_text(encoding="utf-8").replace("SPE(L)|CTE", "SPE(L)"), encoding="utf-8"
    )
    (copy / "dispositifs.csv").write_text(
        (copy / "dispositifs.csv")
        .read_text(encoding="utf-8")
        .replace("CEJ|CEJR", "CEJR")
        .replace("CLS|CLS(M)", "CLS(M)"),
        encoding="utf-8",
    )
    assert [str(e) for e in check_lexicon(copy).errors] == []
    (copy / "themes.csv").unlink()
    errors = [str(error) for error in check_lexicon(copy).errors]
    assert "themes.csv: fichier introuvable dans le dossier des lexiques." in errors


# --- command line --------------------------------------------------------------------------------------


def counts_from(output: str) -> dict[str, int]:
    found = dict(re.findall(r"^\s+([^:\n]+) : (\d+)", output, flags=re.MULTILINE))
    return {key: int(value) for key, value in found.items()}


def test_cli_check_prints_counts_and_exits_0() -> None:
    result = CliRunner().invoke(main, ["lexicon", "check"])
    assert result.exit_code == 0, result.output
    counts = counts_from(result.output)
    assert counts["partenaires"] >= 100
    assert counts["dispositifs"] >= 120
    assert counts["sens de sigles"] >= 120
    assert counts["thèmes"] == 13
    computable = re.search(r"indicateurs : (\d+) dont (\d+) calculables", result.output)
    assert computable and int(computable[1]) >= 60 and int(computable[2]) >= 40
    assert result.output.rstrip().endswith("Lexiques valides.")


def test_cli_check_prints_each_error_and_exits_1(copy: Path) -> None:
    line = append_row(copy, "partners.csv", {**PARTNER, "id": "caf"})
    result = CliRunner().invoke(main, ["lexicon", "check", "--dir", str(copy)])
    assert result.exit_code == 1
    assert f"partners.csv:{line}: id en double « caf »" in result.output
    assert "1 erreur : lexiques à corriger." in result.output


def test_cli_check_missing_folder_exits_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["lexicon", "check", "--dir", str(tmp_path / "absent")])
    assert result.exit_code == 1
    assert "dossier des lexiques introuvable" in result.output


def test_cli_help_has_an_example() -> None:
    for args in (["lexicon", "--help"], ["lexicon", "check", "--help"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0
        assert "Exemple : cdv lexicon check" in result.output
