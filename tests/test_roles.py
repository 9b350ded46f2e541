"""Structure and classify stages: signature pages, roles, senses, themes and stable ids, on real PDFs."""

from __future__ import annotations

from pathlib import Path

from contract_pdf import write_contract

from pipeline.classify import classify_document
from pipeline.corpus import scan_corpus
from pipeline.extract import extract_document
from pipeline.lexicon import Lexicon
from pipeline.match import build_matcher, match_document
from pipeline.models import Models
from pipeline.structure import analyse_structure
from pipeline.types import Detection

BODY = [
    "Axe 2 - Santé\nL'ARS finance le contrat local de santé et l'accès aux soins.\n"
    "La DRAC, non signataire, sera associée aux actions culturelles.",
    "Axe 3 - Tranquillité publique\nLe CLS renforce la prévention de la délinquance et la sécurité,\n"
    "avec le CLSPD et la police municipale.",
]


def read_contract(path: Path, lexicon: Lexicon, body: list[str] = BODY) -> list[Detection]:
    write_contract(path / "contrat.pdf", body)
    document = extract_document(scan_corpus(path).contracts[0])
    structure = analyse_structure(document, lexicon)
    return classify_document(document, match_document(build_matcher(lexicon), document), structure, lexicon)


def test_signature_page_is_found(tmp_path: Path, lexicon: Lexicon) -> None:
    write_contract(tmp_path / "contrat.pdf", BODY)
    document = extract_document(scan_corpus(tmp_path).contracts[0])
    assert analyse_structure(document, lexicon).signature_pages == frozenset({4})


def test_roles_signatory_only_on_signature_page(tmp_path: Path, lexicon: Lexicon) -> None:
    detections = read_contract(tmp_path, lexicon)
    roles = {(d.entity_id, d.page): d.role for d in detections}
    assert roles[("ars", 2)] == "mentionne"
    assert roles[("ars", 4)] == "signataire"
    assert roles[("france_travail", 4)] == "signataire"
    assert roles[("caf", 4)] == "signataire"
    assert roles[("drac", 2)] == "mentionne"
    assert roles[("clspd", 3)] == "articulation"


def test_contrastive_line_on_signature_page_is_not_a_signature(tmp_path: Path, lexicon: Lexicon) -> None:
    signature = (
        "Les signataires\nFait à Auch, le 12 juillet 2024\nPour l'État, le Préfet du Gers\n"
        "Pour France Travail, la Directrice\nPour la CPAM du Gers, le Directeur\n"
        "La DRAC, non signataire, sera associée au suivi."
    )
    write_contract(tmp_path / "contrat.pdf", BODY, signature=signature)
    document = extract_document(scan_corpus(tmp_path).contracts[0])
    lexicon_matcher = build_matcher(lexicon)
    detections = classify_document(
        document, match_document(lexicon_matcher, document), analyse_structure(document, lexicon), lexicon
    )
    last_page = {d.entity_id: d.role for d in detections if d.page == 4}
    assert last_page["cpam"] == "signataire"
    assert last_page["drac"] == "mentionne"


def test_ambiguous_cls_takes_the_sense_of_its_context(tmp_path: Path, lexicon: Lexicon) -> None:
    detections = read_contract(tmp_path, lexicon)
    senses = {d.page: d.entity_id for d in detections if d.entity_id.startswith("cls_")}
    assert senses == {2: "cls_sante", 3: "cls_securite"}


def test_mention_theme_comes_from_its_context(tmp_path: Path, lexicon: Lexicon) -> None:
    detections = read_contract(tmp_path, lexicon)
    themes = {(d.entity_id, d.page): d.theme for d in detections}
    assert themes[("ars", 2)] == "sante"
    assert themes[("police_municipale", 3)] == "securite"


def test_detection_ids_are_stable_and_survive_an_edit_elsewhere(tmp_path: Path, lexicon: Lexicon) -> None:
    first = read_contract(tmp_path / "v1", lexicon)
    again = read_contract(tmp_path / "v2", lexicon)
    edited = read_contract(tmp_path / "v3", lexicon, [BODY[0], BODY[1] + "\nUne phrase ajoutée sur la CAF."])
    ids = {d.detection_id for d in first}
    assert len(ids) == len(first)
    assert ids == {d.detection_id for d in again}
    page_two = {d.detection_id for d in first if d.page == 2}
    assert page_two <= {d.detection_id for d in edited}


PRESENCE_PAGE = (  # rrc06 (Lamentin, convention Petites villes de demain): the bodies present do not sign
    "Les signataires\nENTRE\nLa commune de Lamentin\nReprésentée par Monsieur le Maire,\nD'une part,\nET\n"
    "L'État,\nReprésenté par le préfet Monsieur X.,\nD'autre part,\nEN PRESENCE DE :\n"
    "Le conseil régional de la Guadeloupe,\nLe conseil départemental de la Guadeloupe,\n"
    "La Caisse des Dépôts par l'intermédiaire de sa direction de la Banque des Territoires,\n"
    "IL EST CONVENU CE QUI SUIT :\nFait à Lamentin, le 12 juillet 2024\nPour l'État, le Préfet\n"
    "Pour la CAF de la Guadeloupe, le Directeur"
)


def test_bodies_present_at_the_signing_do_not_sign(tmp_path: Path, lexicon: Lexicon, models: Models) -> None:
    write_contract(tmp_path / "contrat.pdf", BODY, signature=PRESENCE_PAGE)
    document = extract_document(scan_corpus(tmp_path).contracts[0])
    hits = match_document(build_matcher(lexicon), document)
    for used in (None, models):
        detections = classify_document(document, hits, analyse_structure(document, lexicon, used), lexicon, used)
        signing = {d.entity_id for d in detections if d.page == 4 and d.role == "signataire"}
        assert {"etat", "caf"} <= signing
        assert not signing & {"conseil_regional", "conseil_departemental", "caisse_des_depots"}


def test_partners_associated_after_the_parties_do_not_sign() -> None:
    """Regression (rrq35, a departmental contract's convention): « ET EN PARTENARIAT AVEC : – La Région – … » lists
    associated partners after the parties; they were read as signatories."""
    from pipeline.classify import present_not_party

    text = (
        "ENTRE Le Département du Bas-Rhin, représenté par son Président\nET La Commune de Sommerau\n"
        "ET EN PARTENARIAT AVEC :\n- La Région\n- La Banque des Territoires\n- La Chambre d'agriculture d'Alsace\n"
        "\nIl est convenu ce qui suit :\nArticle 1"
    )
    assert present_not_party(text, text.index("Région"), text.index("Région") + 6)
    assert not present_not_party(text, text.index("Département"), text.index("Département") + 11)
    assert not present_not_party(text, text.index("Article"), text.index("Article") + 7)
    prose = "En partenariat avec la CAF, la ville a signé la convention."
    assert not present_not_party(prose, prose.index("CAF"), prose.index("CAF") + 3)
