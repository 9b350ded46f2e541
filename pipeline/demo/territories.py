"""Plausible Occitanie territories for the demo manifest.

Read at generation time from the repository's corpus manifest (`corpus/manifest.csv`: the 40 contracts as far
as public sources go), else from a small built-in list of Occitanie towns: a seed gives the same demo corpus in
any clone.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

MANIFEST_CSV = Path(__file__).resolve().parents[2] / "corpus" / "manifest.csv"

# Department name -> (code, "de ..." form, academy, water basin).
DEPARTMENTS: dict[str, tuple[str, str, str, str]] = {
    "Ariège": ("09", "de l'Ariège", "Académie de Toulouse", "Adour-Garonne"),
    "Aude": ("11", "de l'Aude", "Académie de Montpellier", "Rhône Méditerranée Corse"),
    "Aveyron": ("12", "de l'Aveyron", "Académie de Toulouse", "Adour-Garonne"),
    "Gard": ("30", "du Gard", "Académie de Montpellier", "Rhône Méditerranée Corse"),
    "Haute-Garonne": ("31", "de la Haute-Garonne", "Académie de Toulouse", "Adour-Garonne"),
    "Gers": ("32", "du Gers", "Académie de Toulouse", "Adour-Garonne"),
    "Hérault": ("34", "de l'Hérault", "Académie de Montpellier", "Rhône Méditerranée Corse"),
    "Lot": ("46", "du Lot", "Académie de Toulouse", "Adour-Garonne"),
    "Lozère": ("48", "de la Lozère", "Académie de Montpellier", "Adour-Garonne"),
    "Hautes-Pyrénées": ("65", "des Hautes-Pyrénées", "Académie de Toulouse", "Adour-Garonne"),
    "Pyrénées-Orientales": ("66", "des Pyrénées-Orientales", "Académie de Montpellier", "Rhône Méditerranée Corse"),
    "Tarn": ("81", "du Tarn", "Académie de Toulouse", "Adour-Garonne"),
    "Tarn-et-Garonne": ("82", "du Tarn-et-Garonne", "Académie de Toulouse", "Adour-Garonne"),
}

UNIVERSITIES = {
    "Académie de Toulouse": "Université Toulouse Jean Jaurès",
    "Académie de Montpellier": "Université Paul-Valéry Montpellier 3",
}

FALLBACK = [
    ("Aude", "Carcassonne Agglo", "Carcassonne", ["Viguier-Saint-Jacques", "Grazailles"]),
    ("Gard", "Nîmes Métropole", "Nîmes", ["Pissevin", "Valdegour", "Chemin Bas d'Avignon"]),
    ("Hérault", "Béziers Méditerranée", "Béziers", ["La Devèze", "Centre-ville"]),
    ("Tarn", "Castres-Mazamet", "Castres", ["Aillot-Bisséous", "Lameilhé"]),
    ("Haute-Garonne", "Le Muretain Agglo", "Muret", ["Saint-Jean", "Centre ancien"]),
    ("Pyrénées-Orientales", "Perpignan Méditerranée Métropole", "Perpignan", ["Saint-Jacques", "Champ de Mars"]),
    ("Lot", "Grand Cahors", "Cahors", ["Sainte-Valérie", "Terre Rouge"]),
    ("Aveyron", "Rodez Agglomération", "Rodez", ["Quatre Saisons", "Gourgan"]),
    ("Gers", "Grand Auch Cœur de Gascogne", "Auch", ["Le Garros", "Grand Garros"]),
    ("Hautes-Pyrénées", "Tarbes-Lourdes-Pyrénées", "Tarbes", ["Laubadère", "Bel-Air"]),
    ("Tarn-et-Garonne", "Grand Montauban", "Montauban", ["Chambord", "Cité Chaumont"]),
    ("Ariège", "Pays Foix-Varilhes", "Foix", ["Centre ancien"]),
]


@dataclass(frozen=True)
class Territory:
    """One contract's territory: id, EPCI, main town, department and its priority neighbourhoods."""

    contract_id: str
    territory: str
    epci: str
    town: str
    department: str
    qpv: tuple[str, ...]

    @property
    def code(self) -> str:
        return DEPARTMENTS.get(self.department, ("00", "", "", ""))[0]

    @property
    def de_dep(self) -> str:
        return DEPARTMENTS.get(self.department, ("", f"de {self.department}", "", ""))[1]

    @property
    def academie(self) -> str:
        return DEPARTMENTS.get(self.department, ("", "", "Académie de Toulouse", ""))[2]

    @property
    def bassin(self) -> str:
        return DEPARTMENTS.get(self.department, ("", "", "", "Adour-Garonne"))[3]

    @property
    def universite(self) -> str:
        return UNIVERSITIES.get(self.academie, "Université Toulouse Jean Jaurès")


def slug(text: str) -> str:
    """ASCII lower-case slug for identifiers and file names."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _parse_qpv(cell: str) -> tuple[str, list[str]]:
    """'Carcassonne (A, B); Trèbes (C)' -> ('Carcassonne', ['A', 'B', 'C'])."""
    towns = re.findall(r"([^;()]+?)\s*\(([^)]*)\)", cell)
    if not towns:
        name = cell.split(";")[0].strip() or "Centre"
        return name, ["Centre ancien"]
    qpv: list[str] = []
    for _, inner in towns:
        qpv.extend(part.strip() for part in re.split(r",|/", inner) if part.strip())
    return towns[0][0].strip(), qpv or ["Centre ancien"]


def manifest_to_territories(path: Path) -> list[Territory]:
    """The territories of a corpus manifest with `contract_name`, `epci`, `communes` and department columns."""
    rows: list[Territory] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if not row.get("contract_name") or not row.get("department_code"):
                continue
            name = row["contract_name"].replace("Contrat de ville", "").strip()
            name = re.sub(r"^(de l'|de la |du |des |de |d')", "", name, flags=re.IGNORECASE).strip()
            town, qpv = _parse_qpv(row.get("communes", ""))
            rows.append(
                Territory(
                    contract_id=f"cdv-{row['department_code']}-{slug(name)}",
                    territory=name[:1].upper() + name[1:],
                    epci=row["epci"],
                    town=town,
                    department=row["department"],
                    qpv=tuple(qpv[:6]),
                )
            )
    return rows


def territories(n: int, path: Path = MANIFEST_CSV) -> list[Territory]:
    """n territories: the manifest's list in its order (cycled with a suffix beyond its length)."""
    base = manifest_to_territories(path) if path.exists() else []
    if not base:
        base = [
            Territory(f"cdv-{DEPARTMENTS[d][0]}-{slug(epci)}", epci, epci, town, d, tuple(q))
            for d, epci, town, q in FALLBACK
        ]
    if n <= len(base):
        step = len(base) / n
        return [base[int(i * step)] for i in range(n)]
    out = []
    for i in range(n):
        item = base[i % len(base)]
        if i >= len(base):
            item = Territory(
                f"{item.contract_id}-{i // len(base) + 1}",
                item.territory,
                item.epci,
                item.town,
                item.department,
                item.qpv,
            )
        out.append(item)
    return out
