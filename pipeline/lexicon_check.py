"""Validate the lexicon folder: columns, ids, references, shared acronyms, regexes and values.

`check_lexicon` reads every file of a lexicon folder and returns all problems at once, each naming its
file and line in French, so an analyst can fix a whole file in one go; `load_lexicon` refuses to load a
folder with errors. Warnings (empty category, unused ambiguity...) never block.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.french import plural
from pipeline.lexicon import (
    AMBIGUOUS_FILE,
    DISPOSITIFS_FILE,
    GLOSSARY_FILE,
    INDICATORS_FILE,
    PARTNERS_FILE,
    THEMES_FILE,
    LexiconError,
    read_rows,
    split_list,
)

ENTITY_OPTIONAL = {"acronyms", "aliases", "former_names", "patterns", "themes", "note"}
# file name -> (required columns, optional columns, file required)
COLUMNS: dict[str, tuple[set[str], set[str], bool]] = {
    PARTNERS_FILE: ({"id", "name"}, ENTITY_OPTIONAL | {"category", "group"}, True),
    DISPOSITIFS_FILE: ({"id", "name"}, ENTITY_OPTIONAL | {"scope"}, True),
    THEMES_FILE: ({"id", "name"}, {"keywords", "note"}, True),
    AMBIGUOUS_FILE: ({"acronym", "senses"}, {"note"}, False),
    GLOSSARY_FILE: ({"id", "acronyms", "name"}, {"themes", "note", "organisation"}, False),
    INDICATORS_FILE: (
        {"id", "label", "theme", "source", "computable"},
        {
            "entities",
            "role",
            "patterns",
            "near",
            "window",
            "section",
            "combine",
            "min_count",
            "denominator",
            "value_pct",
            "qualifier",
            "published",
            "note",
        },
        False,
    ),
}
CATEGORIES = {
    "État",
    "collectivité",
    "opérateur public",
    "protection sociale",
    "bailleur",
    "acteur économique",
    "entreprise",
    "santé",
    "justice-sécurité",
    "associatif",
    "éducation-formation",
    "emploi-insertion",
    "culture-sport",
}
SCOPES = {"droit commun", "politique de la ville"}
COMPUTABLE = {"yes", "no", "manual"}
ROLES = {"", "signataire", "mentionne", "articulation"}
QUALIFIERS = {"", "=", "~", "<", ">", "<=", ">="}
COMBINE = {"", "any", "all"}
ID_FORMAT = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class LexiconIssue:
    """One problem in a lexicon file, at a line (1 is the header; 0 when it concerns the whole file)."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


@dataclass
class LexiconReport:
    """What `cdv lexicon check` prints: counts per file, blocking errors and warnings."""

    directory: Path
    errors: list[LexiconIssue] = field(default_factory=list)
    warnings: list[LexiconIssue] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Owner:
    """Where a surface form (acronym or name) is declared."""

    owner_id: str
    file: str
    line: int


def fold(text: str) -> str:
    """Case-, accent-, apostrophe- and hyphen-insensitive form of a name, as the matcher compares them."""
    text = unicodedata.normalize("NFD", text.replace("’", "'").replace("œ", "oe").replace("Œ", "oe"))
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    return " ".join(text.replace("-", " ").split())


class Checker:
    """Accumulates issues while reading one lexicon folder (one instance per check)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.report = LexiconReport(directory=directory)
        self.rows: dict[str, list[tuple[int, dict[str, str]]]] = {}

    def error(self, file: str, line: int, message: str) -> None:
        self.report.errors.append(LexiconIssue(file, line, message))

    def warn(self, file: str, line: int, message: str) -> None:
        self.report.warnings.append(LexiconIssue(file, line, message))

    def read(self, file: str) -> list[tuple[int, dict[str, str]]]:
        """The rows of a file after checking its header; missing optional files give no rows."""
        required, optional, file_required = COLUMNS[file]
        path = self.directory / file
        if not path.exists():
            if file_required:
                self.error(file, 0, "fichier introuvable dans le dossier des lexiques.")
            return []
        try:
            rows = read_rows(path)
            with path.open(encoding="utf-8-sig", newline="") as handle:
                header = [column.strip() for column in next(csv.reader(handle), [])]
        except LexiconError as error:
            line = re.search(r"ligne (\d+)", str(error))
            message = str(error).split(" : ", 1)[-1]
            self.error(file, int(line.group(1)) if line else 0, message)
            return []
        for column in sorted(set(header) - required - optional):
            self.error(
                file, 1, f"colonne inconnue « {column} » (colonnes admises : {', '.join(sorted(required | optional))})."
            )
        for column in sorted(required - set(header)):
            self.error(file, 1, f"colonne obligatoire manquante « {column} ».")
        if len(set(header)) != len(header):
            self.error(file, 1, "une colonne apparaît deux fois dans l'en-tête.")
        if required - set(header):
            return []
        self.rows[file] = rows
        return rows

    def check_regex(self, file: str, line: int, column: str, pattern: str) -> None:
        """A regular expression must compile."""
        if not pattern:
            return
        try:
            re.compile(pattern)
        except re.error as error:
            self.error(file, line, f"expression régulière invalide dans « {column} » : {error}.")

    def check_themes(self, file: str, line: int, themes: Iterable[str], known: set[str]) -> None:
        """Theme references must name a theme of themes.csv."""
        for theme in themes:
            if theme not in known:
                self.error(file, line, f"thème inconnu « {theme} » (voir {THEMES_FILE}).")


def check_ids(checker: Checker, file: str, rows: list[tuple[int, dict[str, str]]], seen: dict[str, str]) -> None:
    """Ids must be present, well formed and unique across partners, dispositifs and glossary."""
    for line, row in rows:
        identifier = row.get("id", "")
        if not identifier:
            checker.error(file, line, "id vide.")
            continue
        if not ID_FORMAT.match(identifier):
            checker.error(file, line, f"id « {identifier} » invalide (minuscules, chiffres et _ seulement).")
        if identifier in seen:
            checker.error(file, line, f"id en double « {identifier} » (déjà déclaré dans {seen[identifier]}).")
        else:
            seen[identifier] = f"{file}:{line}"
        if not row.get("name") and file != INDICATORS_FILE:
            checker.error(file, line, f"nom vide pour « {identifier} ».")


def collect_forms(
    checker: Checker, themes: set[str], partner_ids: set[str]
) -> tuple[dict[str, list[Owner]], dict[str, list[Owner]]]:
    """Check entity and glossary rows; return who declares each acronym (exact) and each name (folded)."""
    acronyms: dict[str, list[Owner]] = {}
    names: dict[str, list[Owner]] = {}

    def add(table: dict[str, list[Owner]], key: str, owner: Owner) -> None:
        if key and all(o.owner_id != owner.owner_id for o in table.setdefault(key, [])):
            table[key].append(owner)

    for file in (PARTNERS_FILE, DISPOSITIFS_FILE):
        for line, row in checker.rows.get(file, []):
            owner = Owner(row.get("id", ""), file, line)
            for acronym in split_list(row.get("acronyms")):
                add(acronyms, acronym, owner)
            for column in ("name", "aliases", "former_names"):
                for value in split_list(row.get(column)) if column != "name" else [row.get("name", "")]:
                    if value.isupper():
                        add(acronyms, value, owner)
                    else:
                        add(names, fold(value), owner)
            checker.check_regex(file, line, "patterns", row.get("patterns", ""))
            checker.check_themes(file, line, split_list(row.get("themes")), themes)
            if file == PARTNERS_FILE:
                category = row.get("category", "")
                if category and category not in CATEGORIES:
                    checker.error(
                        file, line, f"catégorie inconnue « {category} » (admises : {', '.join(sorted(CATEGORIES))})."
                    )
                elif not category:
                    checker.warn(file, line, f"catégorie vide pour « {owner.owner_id} ».")
                group = row.get("group", "")
                if group and (group not in partner_ids or group == owner.owner_id):
                    checker.error(file, line, f"groupe « {group} » inconnu (doit être l'id d'un autre partenaire).")
            elif "scope" in row and row["scope"] not in SCOPES:
                checker.error(
                    file, line, f"portée « {row['scope']} » invalide : « droit commun » ou « politique de la ville »."
                )
    for line, row in checker.rows.get(GLOSSARY_FILE, []):
        owner = Owner(row.get("id", ""), GLOSSARY_FILE, line)
        values = split_list(row.get("acronyms"))
        if not values:
            checker.error(GLOSSARY_FILE, line, f"aucun sigle pour « {owner.owner_id} ».")
        for acronym in values:
            add(acronyms, acronym, owner)
        checker.check_themes(GLOSSARY_FILE, line, split_list(row.get("themes")), themes)
        if (row.get("organisation") or "").strip() not in ("", "oui"):
            checker.error(GLOSSARY_FILE, line, f"organisation « {row['organisation']} » invalide : « oui » ou vide.")
    return acronyms, names


def check_shared_forms(
    checker: Checker, acronyms: dict[str, list[Owner]], names: dict[str, list[Owner]], declared: set[str]
) -> None:
    """A surface form written for two entities is an error unless ambiguous.csv declares it."""
    declared_folded = {fold(acronym) for acronym in declared}
    for table, is_acronym in ((acronyms, True), (names, False)):
        for form, owners in table.items():
            if len(owners) < 2 or (form in declared if is_acronym else form in declared_folded):
                continue
            first, second = owners[0], owners[1]
            kind = "sigle" if is_acronym else "nom ou alias"
            checker.error(
                second.file,
                second.line,
                f"{kind} « {form} » partagé par « {first.owner_id} » "
                f"({first.file}:{first.line}) et « {second.owner_id} » : "
                f"le déclarer dans {AMBIGUOUS_FILE} ou le retirer.",
            )
    for form, owners in acronyms.items():
        clashes = [o for o in names.get(fold(form), []) if o.owner_id not in {x.owner_id for x in owners}]
        if clashes and form not in declared:
            owner = clashes[0]
            checker.error(
                owner.file,
                owner.line,
                f"l'alias « {form} » de « {owner.owner_id} » est aussi un sigle "
                f"de « {owners[0].owner_id} » ({owners[0].file}:{owners[0].line}).",
            )


def check_ambiguous(
    checker: Checker, acronyms: dict[str, list[Owner]], names: dict[str, list[Owner]], known_ids: set[str]
) -> set[str]:
    """Each declared ambiguity lists known senses that all carry the acronym; returns the declared set."""
    declared: set[str] = set()
    for line, row in checker.rows.get(AMBIGUOUS_FILE, []):
        acronym = row.get("acronym", "")
        if not acronym:
            checker.error(AMBIGUOUS_FILE, line, "sigle vide.")
            continue
        if acronym in declared:
            checker.error(AMBIGUOUS_FILE, line, f"sigle « {acronym} » déclaré deux fois.")
        declared.add(acronym)
        senses = split_list(row.get("senses"))
        if len(senses) < 2:
            checker.error(AMBIGUOUS_FILE, line, f"« {acronym} » : au moins deux sens attendus.")
        carriers = {o.owner_id for o in acronyms.get(acronym, []) + names.get(fold(acronym), [])}
        for sense in senses:
            if sense not in known_ids:
                checker.error(
                    AMBIGUOUS_FILE,
                    line,
                    f"sens inconnu « {sense} » pour « {acronym} » "
                    "(id de partenaire, de dispositif ou du glossaire attendu).",
                )
            elif sense not in carriers:
                checker.error(
                    AMBIGUOUS_FILE,
                    line,
                    f"« {sense} » ne porte pas le sigle « {acronym} » (l'ajouter à ses sigles ou retirer ce sens).",
                )
        for owner in acronyms.get(acronym, []):
            if owner.owner_id not in senses:
                checker.error(
                    AMBIGUOUS_FILE,
                    line,
                    f"« {owner.owner_id} » porte aussi le sigle « {acronym} » : l'ajouter à ses sens.",
                )
    return declared


def check_indicator(
    checker: Checker, line: int, row: dict[str, str], themes: set[str], kinds: dict[str, str], indicator_ids: set[str]
) -> None:
    """One row of indicators.csv: references, regexes and values."""
    file = INDICATORS_FILE
    identifier = row.get("id", "")
    if not row.get("label"):
        checker.error(file, line, f"libellé vide pour « {identifier} ».")
    if not row.get("source"):
        checker.error(file, line, f"source vide pour « {identifier} » (où le rapport publie la valeur).")
    checker.check_themes(file, line, [row.get("theme", "")] + ([row["section"]] if row.get("section") else []), themes)
    computable = row.get("computable", "")
    if computable not in COMPUTABLE:
        checker.error(file, line, f"computable « {computable} » invalide : yes, no ou manual.")
    entities = split_list(row.get("entities"))
    for entity in entities:
        if entity not in kinds:
            checker.error(file, line, f"entité inconnue « {entity} ».")
    role = row.get("role", "")
    if role not in ROLES:
        checker.error(file, line, f"rôle « {role} » invalide : signataire, mentionne ou articulation.")
    expected = "dispositif" if role == "articulation" else "partenaire" if role else ""
    for entity in entities:
        if expected and kinds.get(entity, expected) != expected:
            checker.error(file, line, f"rôle « {role} » incompatible avec « {entity} » ({kinds[entity]}).")
    for column in ("patterns", "near"):
        pattern = row.get(column, "")
        checker.check_regex(file, line, column, pattern)
        if re.search(r"[A-ZÀ-ÖØ-Þà-öø-ÿ]", re.sub(r"\\.", "", pattern)):
            checker.warn(
                file,
                line,
                f"« {column} » contient des majuscules ou des accents : le texte comparé est "
                "replié (minuscules, sans accents).",
            )
    if computable == "yes" and not entities and not row.get("patterns"):
        checker.error(file, line, "indicateur calculable sans entités ni motifs.")
    if row.get("near") and not entities and not row.get("patterns"):
        checker.error(file, line, "« near » sans entités ni motifs à qui s'appliquer.")
    for column, minimum in (("window", 1), ("min_count", 1)):
        value = row.get(column, "")
        if value and (not value.isdigit() or int(value) < minimum):
            checker.error(file, line, f"« {column} » doit être un entier ≥ {minimum} (lu : « {value} »).")
    if row.get("combine", "") not in COMBINE:
        checker.error(file, line, f"combine « {row['combine']} » invalide : any ou all.")
    if row.get("qualifier", "") not in QUALIFIERS:
        checker.error(file, line, f"qualificatif « {row['qualifier']} » invalide : =, ~, <, >, <= ou >=.")
    value = row.get("value_pct", "").replace(",", ".")
    try:
        if value and not 0 <= float(value) <= 100:
            raise ValueError
    except ValueError:
        checker.error(file, line, f"value_pct « {row['value_pct']} » : un pourcentage entre 0 et 100 attendu.")
    if not value:
        checker.warn(file, line, f"pas de valeur publiée pour « {identifier} ».")
    denominator = row.get("denominator", "") or "all"
    kind, _, refs = denominator.partition(":")
    if kind == "all" and not refs:
        return
    if kind not in {"entity", "indicator"} or not split_list(refs):
        checker.error(file, line, f"dénominateur « {denominator} » invalide : all, entity:<ids> ou indicator:<id>.")
        return
    for ref in split_list(refs):
        known = kinds if kind == "entity" else indicator_ids - {identifier}
        if ref not in known:
            checker.error(
                file, line, f"dénominateur : {'entité' if kind == 'entity' else 'indicateur'} inconnu « {ref} »."
            )


def check_lexicon(directory: Path) -> LexiconReport:
    """Validate every file of a lexicon folder and count what it declares; never raises on bad content."""
    checker = Checker(Path(directory))
    if not checker.directory.is_dir():
        checker.error(str(directory), 0, "dossier des lexiques introuvable.")
        return checker.report
    for file in COLUMNS:
        checker.read(file)
    rows = checker.rows
    seen: dict[str, str] = {}
    for file in (PARTNERS_FILE, DISPOSITIFS_FILE, GLOSSARY_FILE):
        check_ids(checker, file, rows.get(file, []), seen)
    theme_ids: set[str] = set()
    for line, row in rows.get(THEMES_FILE, []):
        if not row.get("id") or not row.get("name"):
            checker.error(THEMES_FILE, line, "id ou nom de thème vide.")
        elif row["id"] in theme_ids:
            checker.error(THEMES_FILE, line, f"thème en double « {row['id']} ».")
        elif not split_list(row.get("keywords")):
            checker.warn(THEMES_FILE, line, f"aucun mot-clé pour le thème « {row['id']} ».")
        theme_ids.add(row.get("id", ""))
    kinds = {row.get("id", ""): "partenaire" for _, row in rows.get(PARTNERS_FILE, [])}
    kinds |= {row.get("id", ""): "dispositif" for _, row in rows.get(DISPOSITIFS_FILE, [])}
    glossary_ids = {row.get("id", "") for _, row in rows.get(GLOSSARY_FILE, [])}
    acronyms, names = collect_forms(checker, theme_ids, {i for i, k in kinds.items() if k == "partenaire"})
    declared = check_ambiguous(checker, acronyms, names, set(kinds) | glossary_ids)
    check_shared_forms(checker, acronyms, names, declared)
    indicator_ids: set[str] = set()
    for line, row in rows.get(INDICATORS_FILE, []):
        identifier = row.get("id", "")
        if not identifier or not ID_FORMAT.match(identifier):
            checker.error(INDICATORS_FILE, line, f"id d'indicateur vide ou invalide « {identifier} ».")
        elif identifier in indicator_ids:
            checker.error(INDICATORS_FILE, line, f"id en double « {identifier} ».")
        indicator_ids.add(identifier)
    for line, row in rows.get(INDICATORS_FILE, []):
        check_indicator(checker, line, row, theme_ids, kinds, indicator_ids)
    checker.report.errors.sort(key=lambda issue: (issue.file, issue.line))
    indicators = rows.get(INDICATORS_FILE, [])
    checker.report.counts = {
        "partners": len(rows.get(PARTNERS_FILE, [])),
        "dispositifs": len(rows.get(DISPOSITIFS_FILE, [])),
        "acronym_senses": sum(len(owners) for owners in acronyms.values()),
        "acronyms": len(acronyms),
        "ambiguous": len(rows.get(AMBIGUOUS_FILE, [])),
        "glossary": len(rows.get(GLOSSARY_FILE, [])),
        "themes": len(rows.get(THEMES_FILE, [])),
        "indicators": len(indicators),
        "computable": sum(1 for _, row in indicators if row.get("computable") == "yes"),
        "manual": sum(1 for _, row in indicators if row.get("computable") == "manual"),
    }
    return checker.report


def format_report(report: LexiconReport) -> list[str]:
    """The French lines `cdv lexicon check` prints: counts, warnings, errors and a verdict."""
    counts = report.counts
    lines = [f"Lexiques : {report.directory}"]
    if counts:
        lines += [
            f"  partenaires : {counts['partners']} ({PARTNERS_FILE})",
            f"  dispositifs : {counts['dispositifs']} ({DISPOSITIFS_FILE})",
            f"  sens de sigles : {counts['acronym_senses']} pour {counts['acronyms']} sigles",
            f"  sigles ambigus : {counts['ambiguous']} ({AMBIGUOUS_FILE})",
            f"  termes du glossaire : {counts['glossary']} ({GLOSSARY_FILE})",
            f"  thèmes : {counts['themes']} ({THEMES_FILE})",
            f"  indicateurs : {counts['indicators']} dont {counts['computable']} calculables et "
            f"{counts['manual']} à remplir par les relecteurs ({INDICATORS_FILE})",
        ]
    lines += [f"attention : {warning}" for warning in report.warnings]
    lines += [str(error) for error in report.errors]
    if report.ok:
        lines.append("Lexiques valides.")
    else:
        lines.append(f"{plural(len(report.errors), 'erreur')} : lexiques à corriger.")
    return lines
