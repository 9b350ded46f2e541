"""Adding what the pipeline missed, from text a reviewer selects on a page (image or text).

The quote is looked for in the page's text (case, accents, hyphens and line breaks ignored): found, the
detection gets its exact span; absent, it is refused unless the reviewer insists, and is then marked
« citation non retrouvée ». Every hand-added detection has method `ajout` and status `ajoute`.

An organisation outside the lexicons is added under the id its name gives (`name_to_id`) and flagged as a
candidate: it counts in no table until an analyst confirms it, which writes it into the lexicon files
(`pipeline.lexicon_edit`) under that same id, so the next `cdv tables` counts its added detections. A
candidate of the run's `candidates.csv` is confirmed the same way, with one added detection per page where
its name is found.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.french import sort_key
from pipeline.inert import rows_from_inert
from pipeline.lexicon_edit import NewEntity, add_entity, lexicon_ids, name_to_id
from pipeline.review.anchor import locate_text
from pipeline.review.session import ReviewError, ReviewSession
from pipeline.review.store import Recorded
from pipeline.types import Entity

CANDIDATES_FILE = "candidates.csv"
MAX_QUOTE = 500


@dataclass(frozen=True)
class Located:
    """Where a quote is on its page (`found` False when it is not there)."""

    found: bool
    page: int
    start: int = 0
    end: int = 0


def locate_quote(session: ReviewSession, contract_id: str, page: int, quote: str) -> Located:
    """The quote's span on the given page (only that page: evidence cites the page it comes from)."""
    text = session.texts.text(contract_id, page)
    found = locate_text({page: text}, quote, page) if text and quote.strip() else None
    if found is None:
        return Located(False, page)
    return Located(True, found[0], found[1], found[2])


def add_from_selection(
    session: ReviewSession,
    contract_id: str,
    page: int,
    quote: str,
    reviewer: str,
    entity_id: str = "",
    new_name: str = "",
    new_kind: str = "partenaire",
    role: str = "",
    theme: str = "",
    insist: bool = False,
) -> tuple[Recorded, Located]:
    """Record a missed detection of a lexicon entity (`entity_id`) or of an organisation outside the
    lexicons (`new_name`), quoted from a page."""
    quote = " ".join(str(quote).split())[:MAX_QUOTE]
    if not quote:
        raise ReviewError("sélectionnez le passage sur la page (citation vide).")
    located = locate_quote(session, contract_id, page, quote)
    if not located.found and not insist:
        raise ReviewError(
            f"citation non retrouvée dans le texte de la page {page} : vérifiez la sélection, "
            "ou confirmez l'ajout (il sera marqué « citation non retrouvée »)."
        )
    extra: dict[str, object] = {"quote_found": located.found}
    entity: Entity | None = None
    if new_name.strip():
        entity = candidate_entity(session, new_name, new_kind)
        entity_id = entity.entity_id
        extra["candidate"] = entity.entity_id not in session.entities()
    elif not entity_id:
        raise ReviewError("choisissez l'entité, ou donnez le nom d'une organisation hors lexique.")
    recorded = session.add_detection(
        contract_id, entity_id, page, reviewer, quote=quote, role=role, theme=theme, entity=entity, extra=extra
    )
    return recorded, located


def candidate_entity(session: ReviewSession, name: str, kind: str) -> Entity:
    """The lexicon entity of that name if there is one, else a new one under the id its name gives."""
    name = " ".join(name.split())
    if kind not in ("partenaire", "dispositif"):
        raise ReviewError(f"nature « {kind} » inconnue (partenaire ou dispositif).")
    for entity in session.entities().values():
        if sort_key(entity.name)[0] == sort_key(name)[0]:
            return entity
    entity_id = name_to_id(name, set())
    return Entity(entity_id=entity_id, name=name, kind=kind)  # type: ignore[arg-type]


@dataclass
class Candidate:
    """An organisation outside the lexicons: from `candidates.csv`, from reviewers' additions, or both."""

    entity_id: str
    name: str
    kind: str = "partenaire"
    n_mentions: int = 0
    contracts: list[str] = field(default_factory=list)
    pages: list[tuple[str, int]] = field(default_factory=list)
    snippet: str = ""
    source: str = ""
    added: int = 0


def candidates(session: ReviewSession) -> list[Candidate]:
    """Candidates not in the lexicons yet: the run's `candidates.csv`, and organisations reviewers added."""
    known = set(session.entities())
    found: dict[str, Candidate] = {}
    path = session.run_dir / CANDIDATES_FILE
    if path.exists():
        with path.open(encoding="utf-8", newline="") as stream:
            for row in map(rows_from_inert, csv.DictReader(stream)):
                name = " ".join(str(row.get("name", "")).split())
                entity_id = name_to_id(name, set())
                if not name or entity_id in known:
                    continue
                pages = []
                for item in str(row.get("pages", "")).split("|"):
                    contract, _, number = item.rpartition(":")
                    if contract and number.isdigit():
                        pages.append((contract, int(number)))
                found[entity_id] = Candidate(
                    entity_id=entity_id,
                    name=name,
                    n_mentions=int(row.get("n_mentions") or 0),
                    contracts=[c for c in str(row.get("contracts", "")).split("|") if c],
                    pages=pages,
                    snippet=str(row.get("snippet", "")),
                    source="candidates.csv",
                )
    for decision in session.view().resolution.added:
        after = decision.after
        if not after.get("candidate") or str(after.get("entity_id")) in known or after.get("status") == "rejete":
            continue
        entity_id = str(after["entity_id"])
        candidate = found.setdefault(
            entity_id,
            Candidate(entity_id, str(after.get("entity_name", entity_id)), str(after.get("kind", "partenaire"))),
        )
        candidate.added += 1
        candidate.source = "ajout" if not candidate.source else candidate.source + " et ajout"
        if decision.contract_id not in candidate.contracts:
            candidate.contracts.append(decision.contract_id)
        candidate.snippet = candidate.snippet or str(after.get("quote", ""))
    return sorted(found.values(), key=lambda c: (-(c.added > 0), -len(c.contracts), sort_key(c.name)))


def confirm_candidate(
    session: ReviewSession, candidate: Candidate, entity: NewEntity, reviewer: str, lexicon_dir: Path | None = None
) -> tuple[str, int]:
    """Write the candidate into the lexicons under its id, then add one detection per page of `candidates.csv`
    where its name is found; returns the id and the number of detections added."""
    directory = Path(lexicon_dir or session.lexicon_dir)
    if candidate.entity_id in lexicon_ids(directory):
        raise ReviewError(f"« {candidate.name} » est déjà dans les lexiques.")
    entity_id = add_entity(directory, entity, entity_id=candidate.entity_id)
    session.reload_lexicon()
    added = 0
    for contract_id, page in candidate.pages:
        located = locate_quote(session, contract_id, page, candidate.name)
        if not located.found:
            continue
        try:
            session.add_detection(
                contract_id, entity_id, page, reviewer, quote=candidate.name, extra={"quote_found": True}
            )
        except ReviewError:
            continue
        added += 1
    return entity_id, added
