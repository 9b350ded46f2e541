"""French display helpers of the review app: decimal comma, non-breaking spaces, plurals, accent-aware order.

Sorting never depends on the machine's locale: `sort_key` folds accents and case with `unicodedata`, so
« État » sorts among the E and « Éducation » before « Emploi » on every machine.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

NBSP = "\u00a0"
T = TypeVar("T")
IRREGULAR = {"détection revue": "détections revues", "décision non rattachée": "décisions non rattachées"}


def fr_number(value: object, decimals: int = 1) -> str:
    """`92,5`, `10`, `1 234,5` (decimal comma, thin grouping with a non-breaking space); text stays text."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    text = f"{number:,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    if decimals and text.endswith("," + "0" * decimals):
        text = text[: -(decimals + 1)]
    return text


def fr_pct(value: object, decimals: int = 1) -> str:
    """`92,5 %` with a non-breaking space before the sign."""
    return f"{fr_number(value, decimals)}{NBSP}%"


def plural(count: object, singular: str, plural_form: str = "") -> str:
    """`1 partenaire`, `0 contrat`, `3 contrats` (French: 0 and 1 take the singular)."""
    try:
        number = int(count)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        number = 2
    if abs(number) < 2:
        word = singular
    else:
        word = plural_form or IRREGULAR.get(singular) or " ".join(part + "s" for part in singular.split(" "))
    return f"{fr_number(number, 0)} {word}"


def sort_key(text: object) -> tuple[str, str]:
    """A locale-independent key: accents and case folded first, the exact text to break ties."""
    raw = str(text)
    decomposed = unicodedata.normalize("NFD", raw.replace("œ", "oe").replace("Œ", "Oe"))
    folded = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return folded, raw


def sorted_fr(items: Iterable[T], key: Callable[[T], object] | None = None) -> list[T]:
    """Items in French alphabetical order (by `key`, default the item itself)."""
    pick = key or (lambda item: item)
    return sorted(items, key=lambda item: sort_key(pick(item)))


def jinja_filters() -> dict[str, Callable[..., Any]]:
    """The filters the review templates use."""

    def sorted_by(items: Iterable[Any], attribute: str) -> list[Any]:
        return sorted_fr(
            items, key=lambda item: item[attribute] if isinstance(item, dict) else getattr(item, attribute)
        )

    return {"fr": fr_number, "pct": fr_pct, "pluriel": plural, "tri_fr": sorted_by}
