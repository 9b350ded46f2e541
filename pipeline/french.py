"""French formatting shared by the report, the workbook, the CLI and the review app: decimal comma, non-breaking
spaces, plurals, local time, accent-aware order.

Sorting never depends on the machine's locale: `sort_key` folds accents and case with `unicodedata`, so
« État » sorts among the E and « Éducation » before « Emploi » on every machine. Times are shown in Europe/Paris.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

NBSP = "\u00a0"
PARIS = ZoneInfo("Europe/Paris")
T = TypeVar("T")
IRREGULAR = {
    "détection revue": "détections revues",
    "décision non rattachée": "décisions non rattachées",
    "nouveau contrat": "nouveaux contrats",
    "nouvelle version": "nouvelles versions",
}
COMPLEMENT = {
    "à",
    "au",
    "aux",
    "avec",
    "chez",
    "dans",
    "de",
    "depuis",
    "des",
    "du",
    "en",
    "entre",
    "par",
    "pour",
    "sans",
    "selon",
    "sous",
    "sur",
    "vers",
}
INVARIABLE = {"non", "et", "ou", "plus", "très", "déjà"}
SPACE_BEFORE = re.compile(r" (?=[%:;!?»])|(?<=«) ")


def fr_number(value: object, decimals: int = 1) -> str:
    """`92,5`, `10`, `1 234,5` (decimal comma, grouping with a non-breaking space); text stays text."""
    if isinstance(value, bool):
        return str(value)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    if number != number:  # NaN
        return ""
    text = f"{number:,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    if decimals and text.endswith("," + "0" * decimals):
        text = text[: -(decimals + 1)]
    return "0" if text in ("-0", f"-0{NBSP}") else text


def fr_pct(value: object, decimals: int = 1) -> str:
    """`92,5 %` with a non-breaking space before the sign; empty for an empty value."""
    if value is None or value == "":
        return ""
    return f"{fr_number(value, decimals)}{NBSP}%"


def fr_points(value: object) -> str:
    """`+0,6 point`, `−2,5 points`, `0 point` (a signed gap between two percentages)."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    text = fr_number(abs(number))
    sign = "" if text == "0" else ("+" if number > 0 else "−")
    return f"{sign}{text}{NBSP}point" + ("s" if abs(number) >= 2 else "")


def fr_text(text: object) -> str:
    """French typography in a label: a non-breaking space before `%`, `:`, `;`, `!`, `?`, `»` and after `«`."""
    return SPACE_BEFORE.sub(NBSP, str(text))


def plural_form(singular: str) -> str:
    """The plural of a noun phrase whose words agree (`contrat lu` → `contrats lus`): a complement introduced by a
    preposition stays (`contrat en erreur` → `contrats en erreur`), so do adverbs and words ending in s, x or z;
    `-al` → `-aux`, `-eau` → `-eaux`. Other phrases are given their plural explicitly."""
    if singular in IRREGULAR:
        return IRREGULAR[singular]
    words: list[str] = []
    parts = singular.split(" ")
    for index, word in enumerate(parts):
        if word in COMPLEMENT or word.startswith("d'") or word.startswith("d’"):
            return " ".join(words + parts[index:])
        if word in INVARIABLE or not word[-1:].isalpha() or word[-1] in "sxz":
            words.append(word)
        elif word.endswith("eau") or word.endswith("eu"):
            words.append(word + "x")
        elif word.endswith("al") and len(word) > 3:
            words.append(word[:-2] + "aux")
        else:
            words.append(word + "s")
    return " ".join(words)


def plural(count: object, singular: str, plural_text: str = "") -> str:
    """`1 partenaire`, `0 contrat`, `3 contrats lus` (French: 0 and 1 take the singular); large counts grouped."""
    try:
        number = int(count)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        number = 2
    word = singular if abs(number) < 2 else plural_text or plural_form(singular)
    return f"{fr_number(number, 0)} {word}"


def agree(count: object, singular: str, plural_text: str = "") -> str:
    """The word alone, agreed with a count: `lu` / `lus`."""
    try:
        number = int(count)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        number = 2
    return singular if abs(number) < 2 else plural_text or plural_form(singular)


def to_paris(value: object) -> datetime | None:
    """An ISO timestamp (UTC when it names no zone) as a naive Europe/Paris time, for a spreadsheet cell."""
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(PARIS).replace(tzinfo=None)


def fr_datetime(value: object) -> str:
    """`30/11/2026 à 18 h 40` in Europe/Paris time; the text itself when it is not a timestamp."""
    moment = to_paris(value)
    if moment is None:
        return str(value)
    return f"{moment:%d/%m/%Y} à {moment.hour} h {moment:%M}"


def sort_key(text: object) -> tuple[str, str]:
    """A locale-independent key: accents and case folded first, the exact text to break ties."""
    raw = str(text)
    decomposed = unicodedata.normalize("NFD", raw.replace("œ", "oe").replace("Œ", "Oe"))
    folded = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return folded, raw


def french_order(column: Any) -> Any:
    """A pandas `sort_values(key=...)` key: text columns in French order (accents and case folded), others as
    they are."""
    if column.dtype == object or str(column.dtype).startswith("string"):
        return column.map(lambda value: sort_key(value)[0])
    return column


def sorted_fr(items: Iterable[T], key: Callable[[T], object] | None = None) -> list[T]:
    """Items in French alphabetical order (by `key`, default the item itself)."""
    pick = key or (lambda item: item)
    return sorted(items, key=lambda item: sort_key(pick(item)))


def join_fr(items: Iterable[object], last: str = "et") -> str:
    """`a, b et c`."""
    words = [str(item) for item in items]
    if len(words) < 2:
        return "".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"


def jinja_filters() -> dict[str, Callable[..., Any]]:
    """The filters the report and the review templates use."""

    def sorted_by(items: Iterable[Any], attribute: str) -> list[Any]:
        return sorted_fr(
            items, key=lambda item: item[attribute] if isinstance(item, dict) else getattr(item, attribute)
        )

    return {
        "fr": fr_number,
        "pct": fr_pct,
        "points": fr_points,
        "pluriel": plural,
        "accord": agree,
        "tri_fr": sorted_by,
        "typo": fr_text,
        "date_fr": fr_datetime,
    }


ROLE_LABELS = {"signataire": "signataire", "mentionne": "mentionné", "articulation": "articulation"}
DETECTION_STATUS_LABELS = {"auto": "automatique", "valide": "validée", "rejete": "rejetée", "ajoute": "ajoutée"}
CONTRACT_STATUS_LABELS = {"ok": "lu", "error": "en erreur"}
METHOD_LABELS = {
    "nom": "nom",
    "ancien_nom": "ancien nom",
    "motif": "motif",
    "sigle": "sigle",
    "sigle_ambigu": "sigle ambigu",
    "sigle_variante": "variante de sigle",
    "approche": "forme approchée",
    "variante": "variante",
    "membre": "membre nommé",
    "ajout": "ajout manuel",
}
CODE_LABELS = {
    "role": ROLE_LABELS,
    "status": {**DETECTION_STATUS_LABELS, **CONTRACT_STATUS_LABELS},
    "method": METHOD_LABELS,
}
