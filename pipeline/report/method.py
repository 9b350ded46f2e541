"""What the reader is told about the figures: the method notes (HTML report and workbook), the workbook's
« Lisez-moi » sheet (what each sheet holds, how to read a figure) and its « Méthode » sheet (run, versions,
review state, definitions), in French words and Paris time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pipeline.french import PARIS, plural
from pipeline.report.figures import SURE_SCORE
from pipeline.report.indicators import GAP_TOLERANCE
from pipeline.report.rundata import RunData
from pipeline.report.workbook import PERCENT_FORMAT, TextRow, paris_time
from pipeline.types import ReviewState

SHEET_NOTES = {
    "partenaires": "Par partenaire : contrats où il signe et où il est nommé, avec bande, intervalle, statut de "
    "revue et pages de preuve.",
    "partenaires_themes": "Les mêmes chiffres thème par thème (mentions classées dans le thème) ; « Signataire "
    "dans le thème » : il signe au moins un des contrats comptés.",
    "articulations": "Par dispositif : contrats qui s'articulent avec lui (qui le nomment), droit commun et "
    "dispositifs de la politique de la ville distingués.",
    "articulations_themes": "Les articulations thème par thème.",
    "matrice_partenaires": "Une ligne par contrat, une colonne par partenaire nommé : S (signe), M (mentionné sans "
    "signer) ; en bas, contrats, part et bande.",
    "matrice_dispositifs": "Une ligne par contrat, une colonne par dispositif cité : M (le contrat s'articule avec "
    "lui) ; en bas, contrats, part et bande.",
    "indicateurs": "La grille d'indicateurs : valeur, dénominateur, ce qui est compté, statut, valeur publiée par "
    "le rapport régional et écart.",
    "ecarts_rapport": "Les indicateurs calculables, notre valeur à côté de la valeur publiée.",
    "departements": "Par département : contrats lus, pages, détections, partenaires et dispositifs, couverture de "
    "revue.",
    "partenaires_departements": "Partenaires nommés dans au moins un contrat du département.",
    "articulations_departements": "Dispositifs cités dans au moins un contrat du département.",
    "indicateurs_departements": "Les indicateurs département par département.",
    "revue_contrats": "Par contrat : état de lecture, pages, pages illisibles, détections par décision.",
    "preuves": "Chaque détection derrière les tables (décisions des relecteurs appliquées), avec sa page et sa "
    "citation ; un membre compté pour son groupe apparaît aussi sous le groupe.",
    "methode": "Corpus, run, versions, état de la revue et définitions.",
}
REVIEW_LABELS = {
    "contrats": "Contrats",
    "contrats_lus": "Contrats lus",
    "detections": "Détections",
    "decidees": "Détections décidées par un relecteur",
    "pct_revu": "Part des détections décidées",
    "validees": "Détections validées",
    "rejetees": "Détections rejetées",
    "ajoutees": "Détections ajoutées",
    "pages_illisibles": "Pages illisibles",
    "contrats_pages_illisibles": "Contrats ayant des pages illisibles",
}
COUNT_LABELS = {
    "contracts": "Contrats",
    "contracts_ok": "Contrats lus",
    "contracts_error": "Contrats en erreur",
    "pages": "Pages",
    "detections": "Détections",
    "partners_found": "Partenaires trouvés",
    "dispositifs_found": "Dispositifs trouvés",
}
STAGE_LABELS = {
    "cdv": "de cdv",
    "extraction": "de l'extraction du texte",
    "analyse": "de l'analyse",
    "publication": "de la publication",
    "candidats": "des candidats hors lexique",
    "lexique": "des lexiques",
    "modele_theme": "du modèle de thème",
    "modele_sense": "du modèle de sens des sigles",
    "modele_role": "du modèle de rôle",
    "modele_mention": "du modèle de mention",
}


def method_notes(data: RunData, missing_pages: list[str]) -> list[tuple[str, str]]:
    """The definitions behind every figure, in French, for the workbook and the HTML page."""
    errors = data.contracts[data.contracts["status"] != "ok"]["contract_id"].tolist()
    notes = [
        (
            "Dénominateur",
            f"les {plural(data.n_read, 'contrat lu')} ; contrats en erreur exclus : "
            f"{', '.join(errors) if errors else 'aucun'}.",
        ),
        (
            "Signataire / mentionné",
            "signataire : au moins une détection de rôle signataire ; mentionné : nommé "
            "au moins une fois (signataires compris). Les détections rejetées ne comptent "
            "jamais.",
        ),
        (
            "Thème d'une mention",
            "celui que l'étape de classification donne à la détection (contexte, sinon "
            "thème de la page). Un partenaire est marqué ● dans un thème s'il signe au moins "
            "un des contrats comptés.",
        ),
        (
            "Bandes",
            "moins de 10 % ; 10 à 40 % (10 % inclus) ; 40 à 70 % (40 % inclus) ; plus de 70 % (70 % inclus) ; "
            "« non trouvé » quand aucun contrat ne le nomme.",
        ),
        (
            "Intervalle",
            f"borne basse : contrats dont une preuve est revue (validée, ajoutée) ou automatique de "
            f"score ≥ {str(SURE_SCORE).replace('.', ',')} ; borne haute : contrats comptés plus contrats non comptés "
            "ayant des pages illisibles (⚠), où une mention peut se cacher.",
        ),
        (
            "Couverture de revue",
            "part des détections derrière le chiffre (rejetées comprises) décidées par un "
            "relecteur ; statut automatique (0), partiellement revu, revu (100 %), manuel à "
            "saisir (indicateur non calculable), sans objet (aucun contrat au dénominateur).",
        ),
        (
            "Indicateurs",
            "définition de chaque ligne dans lexicons/indicators.csv, rappelée en mots sous chaque indicateur : "
            "entités (et membres de leurs groupes) avec le rôle demandé et/ou expressions cherchées dans le texte "
            "des pages (sans tenir compte des accents ni des majuscules), avec proximité et thème de page si "
            "demandés. Les indices textuels comptent comme sûrs mais jamais comme revus.",
        ),
        (
            "Écart avec le rapport",
            f"notre valeur moins la valeur publiée, en points ; conforme si l'écart est "
            f"≤ {fr_tolerance(GAP_TOLERANCE['='])} (valeur exacte), ≤ {fr_tolerance(GAP_TOLERANCE['~'])} "
            "(valeur approximative) ou si le sens est respecté (<, >, ≥).",
        ),
    ]
    if missing_pages:
        notes.append(
            (
                "Indices textuels absents",
                "run fait par une version antérieure de cdv : indices textuels non évalués pour "
                f"{', '.join(missing_pages)} (relancez cdv run).",
            )
        )
    return notes


def fr_tolerance(points: float) -> str:
    return f"{points:g} points".replace(".", ",")


def readme_rows(
    run: dict[str, Any], review: ReviewState, sheets: Sequence[tuple[str, str]], published_at: datetime | None = None
) -> list[TextRow]:
    """The « Lisez-moi » sheet: what this workbook is, the run it comes from, each sheet, how to read a figure."""
    published = (published_at or datetime.now(UTC)).astimezone(PARIS).replace(tzinfo=None)
    rows = [
        TextRow(
            "Contrats de ville Engagements Quartiers 2030 — partenaires, articulations et indicateurs", kind="title"
        ),
        TextRow("Publié le", published),
        TextRow("Run", str(run.get("run_id", ""))),
        TextRow("Début du run (heure de Paris)", paris_time(run.get("started_at", ""))),
        TextRow("Corpus", str(run.get("corpus", ""))),
        TextRow("Contrats lus", review.contrats_lus),
        TextRow("Contrats du corpus", review.contrats),
        TextRow("Détections", review.detections),
        TextRow("Part décidée par un relecteur", review.pct_revu / 100, PERCENT_FORMAT),
        TextRow("Les feuilles", kind="section"),
    ]
    rows += [TextRow(name, SHEET_NOTES.get(key, "")) for name, key in sheets]
    rows += [
        TextRow("Lire un chiffre", kind="section"),
        TextRow(
            "Contrats et part",
            "chaque chiffre est un nombre de contrats sur les contrats lus, et sa part (en %). La colonne "
            "« Preuves » donne les contrats et pages qui le justifient ; rapport.html y mène en un clic.",
        ),
        TextRow("Bande", "moins de 10 %, 10 à 40 %, 40 à 70 %, plus de 70 % ; « non trouvé » à 0."),
        TextRow(
            "Bornes basse et haute",
            "l'intervalle que la revue peut encore faire bouger (voir la feuille « Méthode »).",
        ),
        TextRow(
            "Statut de revue",
            "automatique (aucune détection décidée), partiellement revu, revu, manuel à saisir, sans objet.",
        ),
        TextRow(
            "Formats",
            "les nombres sont des nombres (triables, filtrables) ; les parts sont de vraies proportions "
            "affichées en % ; les dates sont à l'heure de Paris. La première colonne et la ligne d'en-tête "
            "restent visibles ; chaque en-tête a un filtre.",
        ),
        TextRow(
            "Données",
            "les mêmes tables existent en CSV dans le dossier tables/ (noms de colonnes techniques, stables d'une "
            "version à l'autre).",
        ),
    ]
    return rows


def method_rows(run: dict[str, Any], review: ReviewState, notes: Sequence[tuple[str, str]]) -> list[TextRow]:
    """The « Méthode » sheet: corpus, run (Paris time), versions, counts, review state and the definitions."""
    rows = [
        TextRow("Corpus", str(run.get("corpus", ""))),
        TextRow("Identifiant du run", str(run.get("run_id", ""))),
        TextRow("Début du run (heure de Paris)", paris_time(run.get("started_at", ""))),
        TextRow("Fin du run (heure de Paris)", paris_time(run.get("finished_at", ""))),
        TextRow("Espace de travail", str(run.get("workspace", ""))),
        TextRow("Version des lexiques", str(run.get("lexicon_version", ""))),
    ]
    rows += [
        TextRow(f"Version {STAGE_LABELS.get(stage, stage)}", str(version))
        for stage, version in run.get("versions", {}).items()
    ]
    rows += [
        TextRow(f"Effectif : {COUNT_LABELS.get(key, key).lower()}", value)
        for key, value in run.get("counts", {}).items()
    ]
    for key, label in REVIEW_LABELS.items():
        value = getattr(review, key)
        if key == "pct_revu":
            rows.append(TextRow(f"Revue : {label.lower()}", value / 100, PERCENT_FORMAT))
        else:
            rows.append(TextRow(f"Revue : {label.lower()}", value))
    rows += [TextRow(label, text) for label, text in notes]
    return rows
