"""Training on small hand-made contracts: models saved as skops with a card, reloaded, versioned, used."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.classify import classify_document
from pipeline.lexicon import Lexicon
from pipeline.match import build_matcher, match_document
from pipeline.models import load_models, model_versions
from pipeline.structure import analyse_structure
from pipeline.train import Contract, reliability, save_models, train_models
from pipeline.types import ExtractedDocument, Page

EMPLOI = (
    "Axe 1 – Emploi et insertion professionnelle\n"
    "Le contrat d'engagement jeune accompagne les demandeurs d'emploi vers la formation avec France Travail.\n"
    "Les entreprises du territoire recrutent des jeunes en alternance et en apprentissage.\n\n"
)
ENFANCE = (
    "Axe 2 – Éducation et jeunesse\n"
    "Le contrat enfance jeunesse finançait les places d'accueil du jeune enfant et la réussite éducative.\n"
    "Les écoles et les collèges du quartier soutiennent la parentalité et le périscolaire.\n\n"
)
SANTE = "Axe 3 – Santé\nL'ARS soutient l'accès aux soins et la santé mentale des habitants.\n\n"
SIGNATURES = (
    "Les signataires\nFait à Auch, le 12 juillet 2024\nPour l'État, le Préfet du Gers\n"
    "Pour France Travail, la Directrice\nPour l'ARS, le Directeur\n"
)


def contract(index: int) -> tuple[ExtractedDocument, dict[str, Any]]:
    pages = [Page(1, EMPLOI + ENFANCE), Page(2, SANTE), Page(3, SIGNATURES)]
    doc = ExtractedDocument(f"c{index}", f"{index:064d}", pages)
    mentions = [
        {"entity_id": "cej_jeune", "page": 1, "surface": "", "theme": "emploi", "context": "text"},
        {"entity_id": "cej_enfance", "page": 1, "surface": "", "theme": "education_jeunesse", "context": "text"},
        {"entity_id": "ars", "page": 2, "surface": "ARS", "theme": "sante", "context": "text"},
        {"entity_id": "ars", "page": 3, "surface": "ARS", "theme": None, "context": "signature"},
        {"entity_id": "france_travail", "page": 1, "surface": "", "theme": "emploi", "context": "text"},
        {"entity_id": "france_travail", "page": 3, "surface": "", "theme": None, "context": "signature"},
        {"entity_id": "etat", "page": 3, "surface": "", "theme": None, "context": "signature"},
    ]
    partners = [{"entity_id": e, "signataire": True} for e in ("ars", "etat", "france_travail")]
    gold = {"contract_id": doc.contract_id, "mentions": mentions, "partners": partners, "dispositifs": []}
    gold["dispositifs"] = [{"entity_id": "cej_jeune"}, {"entity_id": "cej_enfance"}]
    return doc, gold


@pytest.fixture(scope="module")
def trained(lexicon: Lexicon, tmp_path_factory: pytest.TempPathFactory) -> Path:
    matcher = build_matcher(lexicon)
    contracts = [Contract(doc, match_document(matcher, doc), gold) for doc, gold in map(contract, range(4))]
    models, counts = train_models(contracts, lexicon)
    assert counts["theme"] > 0 and counts["sense"] > 0 and counts["role"] > 0
    folder = tmp_path_factory.mktemp("models")
    save_models(models, folder, {"training_data": "test", "lexicon_version": lexicon.version, "examples": counts})
    return folder


def test_models_are_skops_files_with_a_card_and_versions(trained: Path) -> None:
    assert {"theme", "sense", "role"} <= set(model_versions(trained))
    assert not list(trained.glob("*.pkl"))
    assert "Model card" in (trained / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert (trained / "models.json").exists()


def test_trained_models_choose_senses_roles_and_themes(trained: Path, lexicon: Lexicon) -> None:
    models = load_models(trained)
    assert models is not None and models.sense is not None
    text = (
        "Axe 1 – Emploi\nLe CEJ accompagne les demandeurs d'emploi vers l'alternance avec les entreprises.\n\n"
        "Axe 2 – Éducation et jeunesse\nLes places d'accueil du jeune enfant financées par le CEJ à l'école.\n\n"
    )
    doc = ExtractedDocument("t", "f" * 64, [Page(1, text), Page(2, SIGNATURES)])
    detections = classify_document(
        doc, match_document(build_matcher(lexicon), doc), analyse_structure(doc, lexicon, models), lexicon, models
    )
    senses = [d.entity_id for d in detections if d.entity_id.startswith("cej")]
    assert senses == ["cej_jeune", "cej_enfance"]
    roles = {(d.entity_id, d.page): d.role for d in detections}
    assert roles[("france_travail", 2)] == "signataire"
    assert all(0.0 <= d.score <= 1.0 for d in detections)


def test_reliability_table_bins_probabilities() -> None:
    table = reliability([0.05, 0.95, 0.92, 0.5], [0, 1, 1, 1])
    assert [row["n"] for row in table] == [1, 1, 2]
    assert table[-1]["observed"] == 1.0


def test_cdv_train_refuses_one_gold_for_several_corpora(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from pipeline.cli import main

    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    result = CliRunner().invoke(
        main, ["train", "--corpus", str(first), "--corpus", str(second), "--gold", str(tmp_path / "g.json")]
    )
    assert result.exit_code == 1
    assert "--gold ne s'utilise qu'avec un seul --corpus" in result.output
    help_text = CliRunner().invoke(main, ["train", "--help"])
    assert help_text.exit_code == 0 and "Exemple :" in help_text.output and "--sans-decisions" in help_text.output


def test_candidate_model_alone_is_saved_beside_the_other_models_and_their_card(tmp_path: Path) -> None:
    """`cdv train --seulement-candidats` writes candidate.skops and its card entries; the other models' files
    and card entries are left as they are (detections do not change)."""
    import json
    import shutil

    from pipeline.models import default_models_dir, load_model, model_path
    from pipeline.train import save_candidate_model

    folder = tmp_path / "models"
    shutil.copytree(default_models_dir(), folder)
    before = {name: model_path(folder, name).read_bytes() for name in ("theme", "sense", "role", "mention")}
    card_before = json.loads((folder / "models.json").read_text(encoding="utf-8"))
    model = load_model(model_path(folder, "candidate"))
    model.threshold_ = 0.4321
    report = {"threshold": 0.4321, "noise_budget": 2.0, "demo_noise_budget": 1.0, "n": 2, "brier": 0.1}
    report |= {"oof_probabilities": [0.9, 0.1], "oof_labels": [1, 0]}
    version = save_candidate_model(model, folder, "corpus de test", {"candidate": 7, "candidate_report": report})
    assert {name: model_path(folder, name).read_bytes() for name in before} == before
    card = json.loads((folder / "models.json").read_text(encoding="utf-8"))
    assert card["versions"]["candidate"] == version and card["versions"]["theme"] == card_before["versions"]["theme"]
    assert card["trained_at"] == card_before["trained_at"] and card["metrics"] == card_before["metrics"]
    assert card["candidate_training_data"] == "corpus de test" and card["examples"]["candidate"] == 7
    assert card["candidate_evaluation"]["threshold"] == 0.4321
    assert "threshold = 0.4321" in (folder / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert load_model(model_path(folder, "candidate")).threshold_ == 0.4321


def test_cdv_train_help_shows_the_candidate_only_option() -> None:
    from click.testing import CliRunner

    from pipeline.cli import main

    help_text = CliRunner().invoke(main, ["train", "--help"])
    words = " ".join(help_text.output.split())
    assert help_text.exit_code == 0 and "--seulement-candidats N'entraîne que le modèle" in words
    assert "Exemple : cdv train --corpus outputs/demo-corpus --corpus reelle-reglage --seulement-candidats" in words


def test_a_company_the_gold_named_outside_the_lexicons_teaches_the_entity_sense(lexicon: Lexicon) -> None:
    """Regression: the lexicons gained Keolis after rpl38 was labelled (« Keolis » outside the lexicons, no
    `keolis` partner); training read its mentions as « not this entity » and the retrained mention model
    rejected every Keolis of every contract."""
    from pipeline.classify import analyse_hits
    from pipeline.train import mention_label, signature_label

    text = "Les signataires\nPour Keolis | X. | le Directeur\nPour la Caf de la Côte-d'Or | X. | la Directrice\n"
    document = ExtractedDocument("rpl38", "5" * 64, [Page(1, text)])
    hits = match_document(build_matcher(lexicon), document)
    gold = {"partners": [{"entity_id": "caf", "signataire": True}], "dispositifs": []}
    gold["out_of_lexicon"] = [{"name": "Keolis", "signataire": True}]
    items = analyse_hits(document, hits, analyse_structure(document, lexicon), lexicon, None, keep_rejected=True)
    keolis = [item for item in items if item.detection.entity_id == "keolis"]
    assert keolis and all(mention_label(item, gold) == "entite" for item in keolis)
    assert all(signature_label(item, gold) == 1 for item in keolis)
    gold["out_of_lexicon"] = []
    assert all(mention_label(item, gold) == "non" for item in keolis)


def test_the_role_model_learns_only_from_what_it_reads_at_run_time(trained: Path) -> None:
    """Regression: training rows held the rule's own role output (« role=signataire », « role_probability »),
    absent when the model runs; the model leant on them and a signing « Pour l'État » scored 0.89, under the
    report's sure bound (0.9)."""
    models = load_models(trained)
    assert models is not None and models.role is not None
    vocabulary = set(models.role.steps[0][1].get_feature_names_out())
    assert vocabulary and not {name for name in vocabulary if name.startswith("role")}


def test_a_sense_note_on_a_phrase_labels_the_mention_inside_it(lexicon: Lexicon) -> None:
    """Regression (rpn20): the note « Secrétaire d'Etat chargée de la famille » (sense autre) did not reach the
    « Etat » mention inside it, labelled the State because the convention's gold has the State: trained on, the
    mention model read « Conseil d'État » and « secrétariat d'État » as the State."""
    from pipeline.classify import analyse_hits
    from pipeline.train import mention_label

    text = "Entre l'Etat, représenté par Mme X., Secrétaire d’Etat chargée de la famille, et la Cnaf.\n"
    document = ExtractedDocument("rpn20", "6" * 64, [Page(1, text)])
    hits = match_document(build_matcher(lexicon), document)
    gold = {"partners": [{"entity_id": "etat", "signataire": True}], "dispositifs": []}
    gold["sense_notes"] = [{"entity": "etat", "surface": "Secrétaire d'Etat chargée de la famille", "sense": "autre"}]
    items = analyse_hits(document, hits, analyse_structure(document, lexicon), lexicon, None, keep_rejected=True)
    labels = {item.mention.surface: mention_label(item, gold) for item in items if item.mention is not None}
    assert (labels["l'Etat"], labels["Etat"]) == ("entite", "autre")


def test_a_sense_note_on_a_phrase_labels_only_the_mention_it_is_written_around(lexicon: Lexicon) -> None:
    """Regression: a note on « les rapports entre l'État et les collectivités » (a law's title, sense autre) also
    labelled the State's next mention, « l'État s'engage », whose 150-character context holds the phrase: the
    mention-level review of 2026-12-02 marks single mentions, the partner mention beside them must stay one."""
    from pipeline.classify import analyse_hits
    from pipeline.train import mention_label

    text = (
        "Vu la loi relative aux rapports entre l'État et les collectivités locales. "
        "Pour le quartier, l'État s'engage à financer deux postes d'adultes-relais.\n"
    )
    document = ExtractedDocument("rsx01", "7" * 64, [Page(1, text)])
    hits = match_document(build_matcher(lexicon), document)
    gold = {"partners": [{"entity_id": "etat", "signataire": False}], "dispositifs": []}
    gold["sense_notes"] = [{"entity": "etat", "surface": "rapports entre l'État et les", "sense": "autre"}]
    items = analyse_hits(document, hits, analyse_structure(document, lexicon), lexicon, None, keep_rejected=True)
    labels = [mention_label(item, gold) for item in items if item.detection.entity_id == "etat"]
    assert labels == ["autre", "entite"]


def test_a_real_prose_signatory_in_a_sentence_reporting_the_signing_is_a_role_example(lexicon: Lexicon) -> None:
    """rpu08 (Toulon Provence Méditerranée): « … sont signataires du Contrat de Ville » teaches the role model that
    the sentence's partners sign; a partner of another sentence does not."""
    from pipeline.classify import analyse_hits
    from pipeline.train import signature_label

    text = (
        "Le Département du Var et la Région PACA (délibération du 12/12/2014) sont signataires du Contrat de Ville.\n"
        "La CAF du Var finance les centres sociaux."
    )
    document = ExtractedDocument("rpu08", "6" * 64, [Page(1, text)])
    hits = match_document(build_matcher(lexicon), document)
    gold = {"partners": [{"entity_id": e, "signataire": True} for e in ("conseil_departemental", "caf")]}
    items = analyse_hits(document, hits, analyse_structure(document, lexicon), lexicon, None, keep_rejected=True)
    labels = {item.detection.entity_id: signature_label(item, gold) for item in items}
    assert labels["conseil_departemental"] == 1 and labels["caf"] == 0


def test_a_saved_model_keeps_its_vocabulary_once_and_predicts_the_same(tmp_path: Path) -> None:
    """The committed mention model outgrew 5 MB: a DictVectorizer's feature names (its vocabulary's keys in index
    order) are left out of the file and derived again on loading."""
    import zipfile

    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from pipeline.models import dict_vectorizers, load_model, model_path, save_model

    rows = [{f"w={word}": 1.0, "n": float(i % 3)} for i, word in enumerate("abcdefghijklmnopqrstuvwxyz" * 2)]
    labels = [i % 2 for i in range(len(rows))]
    model = CalibratedClassifierCV(make_pipeline(DictVectorizer(), LogisticRegression()), cv=2).fit(rows, labels)
    save_model(model, tmp_path, "mention")
    with zipfile.ZipFile(model_path(tmp_path, "mention")) as archive:
        assert "feature_names_" not in archive.read("schema.json").decode("utf-8")
    fitted = [v for v in dict_vectorizers(model) if hasattr(v, "vocabulary_")]
    assert len(fitted) == 2 and all(hasattr(v, "feature_names_") for v in fitted)  # the model in memory is intact
    loaded = load_model(model_path(tmp_path, "mention"))
    again = [v for v in dict_vectorizers(loaded) if hasattr(v, "vocabulary_")]
    assert sorted(v.feature_names_ for v in again) == sorted(v.feature_names_ for v in fitted)
    assert (loaded.predict_proba(rows) == model.predict_proba(rows)).all()


def test_the_mention_model_holds_one_vocabulary_and_committed_models_stay_under_5_mb() -> None:
    """The mention model's three calibration folds each held the vocabulary (5.06 MB through fresh74): it is now
    learned once, before the folds, without the features only one mention has (5.18 MB through fresh101); every
    committed model file stays under the 5 MB of a tracked file."""
    from pipeline.models import default_models_dir, dict_vectorizers
    from pipeline.sense import Mention, fit_mention_model

    words = "abcdefghijklmnopqrstuvwxyz"
    mentions = [
        Mention("etat", "partenaire", "nom", "l'État", f"{words[i % 26]} finance ", " et signe") for i in range(30)
    ]
    labels = ["entite" if i % 2 else "non" for i in range(30)]
    model = fit_mention_model(mentions, labels)
    vectorizers = [v for v in dict_vectorizers(model) if hasattr(v, "vocabulary_")]
    assert len(vectorizers) == 1
    assert "rw=et" in vectorizers[0].vocabulary_ and "lw=z" not in vectorizers[0].vocabulary_  # « z » is in one mention
    sizes = {path.name: path.stat().st_size for path in default_models_dir().glob("*.skops")}
    assert sizes and all(size < 5_000_000 for size in sizes.values()), sizes


def test_training_mentions_hold_the_members_mentions_of_their_group_as_a_run_does(lexicon: Lexicon) -> None:
    """Regression: training built its mentions from the matcher's hits only, while a run adds the members' mentions
    of their group (« Nantes Habitat » for the social landlords, `with_member_hits`); the mention model scored at run
    time mentions of a kind it had never seen. Training contracts now take their hits from `run_hits`."""
    from pipeline.models import Models
    from pipeline.train import at_run_time, mention_examples

    text = "Les signataires\nFait à Nantes, le 12 mars 2024\n"
    text += "Pour Nantes Habitat, le Président\nPour l'ARS, le Directeur\n"
    document = ExtractedDocument("rpg01", "6" * 64, [Page(1, text)])
    gold = {"partners": [{"entity_id": e, "signataire": True} for e in ("ars", "bailleurs_sociaux")]}
    gold |= {"dispositifs": [], "out_of_lexicon": [{"name": "Nantes Habitat", "signataire": True}]}
    matched = Contract(document, match_document(build_matcher(lexicon), document), gold)
    assert not [h for h in matched.hits if h.entity_id == "bailleurs_sociaux"]
    (timed,) = at_run_time([matched], lexicon, Models())
    members = [h for h in timed.hits if h.method == "membre"]
    assert [(h.entity_id, text[h.start : h.end]) for h in members] == [("bailleurs_sociaux", "Nantes Habitat")]
    examples = mention_examples([timed], lexicon, Models())
    landlords = [
        label
        for mention, label in zip(examples.mentions, examples.labels, strict=True)
        if mention.entity_id == "bailleurs_sociaux"
    ]
    assert landlords == ["entite"]
