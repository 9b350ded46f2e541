"""Compose one demo contract (blocks with gold mentions) from its drawn assignment and territory.

Realism features rotate with the contract index so that even a corpus of 4-6 contracts shows each one.
"""

from __future__ import annotations

import random
import zlib

from pipeline.demo import content as C
from pipeline.demo import sections as S
from pipeline.demo.calibration import Assignment, Profile
from pipeline.demo.model import (
    Block,
    Columns,
    Cover,
    Document,
    Figure,
    Footnote,
    Heading,
    PageBreak,
    Para,
    Segment,
    Signatures,
    Table,
    Toc,
    seg_text,
)
from pipeline.demo.names import ref, variants_for
from pipeline.demo.signatures import signatures as signature_pages
from pipeline.demo.territories import Territory
from pipeline.demo.typography import available_ttf, ligatures, typographic

AMBIGUOUS = ("cls_sante", "cls_securite", "cej_jeune", "cej_enfance")
TABLE_ONLY_PREFERENCE = [
    "carsat",
    "agence_eau",
    "universite",
    "dreets",
    "spip",
    "dilcrah",
    "cerema",
    "pjj",
    "defenseur_droits",
    "bpi",
    "caisse_des_depots",
    "anru",
    "gendarmerie",
]
CONTRASTIVE_PREFERENCE = ["drac", "ddets", "ademe", "anah", "police_nationale", "cidff", "ddfe", "anct"]


def features(index: int, seed: int) -> dict[str, object]:
    """Rendering and realism choices for contract number `index` (rotating, seed-shifted page counts)."""
    ttf = available_ttf() or ["Helvetica"]
    lig = index % 2 == 1 and bool(available_ttf())
    producer = "chromium" if index % 3 == 1 else "reportlab"
    fonts = ttf if lig or producer == "chromium" else ["Helvetica", "Times-Roman", *ttf[-2:]]
    compact = index % 5 == 3
    return {
        "producer": producer,
        "page_size": "Letter" if index % 4 == 2 else "A4",
        "ligatures": lig,
        "typographic": index % 3 != 2,
        "two_columns": index % 2 == 0,
        "hyphenation": index % 4 != 2,
        "signature_style": ["grid", "list", "scan"][(index + index // 3) % 3],
        "extra_signature_list": index % 4 == 0,
        "font": fonts[(index // 2) % len(fonts)],
        "compact": compact,
        "target_pages": 27 if compact else 32 + (index * 37 + seed * 11) % 86,
        "footer": ["Page {n}", "- {n} -", "{n}", "Contrat de ville 2024-2030 | {n}"][index % 4],
    }


class Namer:
    """Chooses how each mention names its entity, rotating variants so that each contract shows several."""

    def __init__(self, profiles: dict[str, Profile], terr: Territory, index: int, rng: random.Random):
        self.profiles, self.terr, self.index, self.rng = profiles, terr, index, rng
        self.count: dict[str, int] = {}

    def variant(self, entity_id: str, where: str) -> str:
        profile = self.profiles[entity_id]
        allowed = [v for v in variants_for(profile) if where == "signature" or v != "caps"]
        if where == "signature":
            allowed = [v for v in allowed if v in ("full", "departmental", "caps", "both", "acronym")] or ["full"]
        if where in ("table", "heading"):
            allowed = [v for v in allowed if v != "former"] or ["full"]
        k = self.count.get(entity_id, 0)
        self.count[entity_id] = k + 1
        offset = zlib.crc32(entity_id.encode()) + self.index
        if k == 0:
            return allowed[offset % len(allowed)]
        if profile.acronym and self.rng.random() < 0.4 and "acronym" in allowed:
            return "acronym"
        return allowed[(offset + k * 3 + self.rng.randrange(3)) % len(allowed)]

    def __call__(
        self,
        entity_id: str,
        prep: str = "",
        theme: str | None = None,
        context: str = "text",
        capitalize: bool = False,
        variant: str | None = None,
    ) -> list[Segment]:
        where = "signature" if context in ("signature", "scan") else context
        chosen = variant or self.variant(entity_id, where)
        return ref(self.profiles[entity_id], chosen, self.terr, self.rng, prep, theme, context, capitalize)


def fill_template(template: str, entity: list[Segment], **values: str) -> list[Segment]:
    """Split a template around {E} and put the entity's segments there."""
    before, _, after = template.partition("{E}")
    before, after = before.format(**values), after.format(**values)
    if not before and entity and isinstance(entity[0], str):
        entity = [entity[0][:1].upper() + entity[0][1:], *entity[1:]]
    return [s for s in [before, *entity, after] if not (isinstance(s, str) and not s)]


def plan_entities(assign: Assignment, profiles: dict[str, Profile], rng: random.Random) -> dict[str, object]:
    """Decide where the present entities go: table only, contrastive, contribution pages."""
    non_sig = [e for e, sig in assign.partners.items() if not sig and e != "etat"]
    table_only = [e for e in TABLE_ONLY_PREFERENCE if e in non_sig][:2]
    if not table_only and non_sig:
        table_only = [sorted(non_sig)[0]]
    contrastive = next((e for e in CONTRASTIVE_PREFERENCE if e in non_sig and e not in table_only), None)
    if contrastive is None:
        contrastive = next((e for e in sorted(non_sig) if e not in table_only), None)
    signers = [e for e, sig in sorted(assign.partners.items()) if sig and e != "etat"]
    rng.shuffle(signers)
    return {"table_only": table_only, "contrastive": contrastive, "contributions": signers[:8]}


def compose(assign: Assignment, terr: Territory, profiles: dict[str, Profile], seed: int) -> Document:
    """Build the whole contract document for one assignment."""
    i = assign.index
    feat = features(i, seed)
    rng = random.Random(f"{seed}:doc:{i}")
    name = Namer(profiles, terr, i, rng)
    plan = plan_entities(assign, profiles, rng)
    orgs = rng.sample(C.OUT_OF_LEXICON, 2 if i % 2 else 1)
    feat["orgs"] = [(template.format(town=terr.town), "") for _, template in orgs]
    ctx = S.Context(assign, terr, profiles, rng, name, feat, plan)
    title = f"Contrat de ville Engagements Quartiers 2030 — {terr.territory}"
    themes = list(C.THEMES)
    rng.shuffle(themes)
    themes.sort(key=lambda t: 0 if t in ("emploi", "education_jeunesse", "cadre_vie") else 1)
    sections = [
        "Préambule",
        "Diagnostic territorial",
        "Gouvernance",
        "Participation citoyenne",
        "Orientations stratégiques",
        "Articulation avec le droit commun",
        "Engagements des partenaires",
        "Évaluation",
        "Signatures",
        "Annexes",
    ]
    blocks = [
        Cover(
            title="Contrat de ville",
            territory=terr.territory,
            subtitle="Engagements Quartiers 2030",
            date=rng.choice(["Mars 2024", "Juin 2024", "Septembre 2024", "Décembre 2024"]),
        ),
        Toc(entries=[f"{k}. {s}" for k, s in enumerate(sections, start=1)]),
    ]
    blocks += S.preamble(ctx)
    if feat["two_columns"]:
        blocks.append(Columns(on=True))
    blocks += S.diagnostic(ctx)
    blocks.append(S.diagnostic_footnote(ctx))
    if feat["two_columns"]:
        blocks.append(Columns(on=False))
    blocks += S.governance(ctx)
    blocks += S.participation(ctx)
    blocks.append(PageBreak())
    blocks.append(Heading(text="4. Orientations stratégiques", level=1))
    for k, theme in enumerate(themes, start=1):
        blocks += S.axis(ctx, k, theme)
    blocks += S.articulation(ctx)
    if not feat["compact"]:
        blocks += S.contributions(ctx)
    blocks += S.evaluation(ctx)
    blocks += signature_pages(ctx)
    blocks += S.annexes(ctx)
    S.ensure_all_named(ctx, blocks)
    missing_pages = int(str(feat["target_pages"])) - estimate_pages(blocks)
    if missing_pages > 0:
        blocks.append(Heading(text="Annexe 3 – Fiches actions", level=2))
        blocks += S.fiches(ctx, missing_pages)
    doc = Document(
        contract_id=terr.contract_id,
        title=title,
        territory=terr.territory,
        blocks=blocks,
        page_size=str(feat["page_size"]),
        font=str(feat["font"]),
        producer=str(feat["producer"]),
        header=f"Contrat de ville {terr.territory} — 2024-2030",
        footer=str(feat["footer"]),
    )
    transforms = []
    if feat["typographic"]:
        transforms.append(typographic)
        doc.properties.add("typographic_apostrophes")
    if feat["ligatures"]:
        transforms.append(ligatures)
        doc.properties.add("ligatures")
    for transform in transforms:
        apply_text_transform(doc, transform)
    return doc


def estimate_pages(blocks: list[Block]) -> int:
    """Rough page count of a block list (characters per page), used to size the annex of action sheets."""
    capacity, pages, fill = 3000, 1, 0
    for block in blocks:
        if isinstance(block, PageBreak | Signatures | Footnote):
            pages += 1 if fill or not isinstance(block, PageBreak) else 0
            fill = 0
            continue
        if isinstance(block, Para):
            fill += len(seg_text(block.segments)) + 90
        elif isinstance(block, Heading):
            fill += 200
        elif isinstance(block, Table):
            fill += 250 + 130 * len(block.rows)
        elif isinstance(block, Figure):
            fill += 1300
        pages += fill // capacity
        fill %= capacity
    return pages + (1 if fill else 0)


def apply_text_transform(doc: Document, transform: object) -> None:
    """Apply a text transform to every printed string, mentions included (so gold matches print)."""
    fn = transform  # callable[[str], str]

    def seg(segments: list[Segment]) -> list[Segment]:
        out: list[Segment] = []
        for s in segments:
            if isinstance(s, str):
                out.append(fn(s))  # type: ignore[operator]
            else:
                s.surface = fn(s.surface)  # type: ignore[operator]
                out.append(s)
        return out

    for block in doc.blocks:
        if isinstance(block, Para | Footnote):
            block.segments = seg(block.segments)
        elif isinstance(block, Table):
            block.rows = [[seg(cell) for cell in row] for row in block.rows]
            block.header = [fn(h) for h in block.header]  # type: ignore[operator]
            block.caption = fn(block.caption)  # type: ignore[operator]
        elif isinstance(block, Heading):
            block.text = fn(block.text)  # type: ignore[operator]
        elif isinstance(block, Signatures):
            for sig in block.blocks:
                sig.segments = seg(sig.segments)
                sig.title = fn(sig.title)  # type: ignore[operator]
            block.intro = fn(block.intro)  # type: ignore[operator]
        elif isinstance(block, Figure):
            block.title = fn(block.title)  # type: ignore[operator]
