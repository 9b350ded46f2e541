"""Gold labels of a rendered demo contract, read off its blocks: entities, roles, pages, themes, properties.

Schema of one contract in `gold.json` (`contracts` list):
contract_id, file, territory, department, producer, producer_note, page_size, font, pages, properties,
partners [{entity_id, signataire, pages, themes, surfaces}], dispositifs [{entity_id, pages, themes, surfaces}],
mentions [{entity_id, page, surface, theme, context, variant}], out_of_lexicon [{name, signataire, pages}],
acceptable_candidates [name] (organisations named in passing that a candidate list may hold, not count).
"""

from __future__ import annotations

from typing import Any

from pipeline.demo import content as C
from pipeline.demo import model as M
from pipeline.demo.calibration import Profile

AMBIGUOUS = {"cls_sante": "CLS", "cls_securite": "CLS", "cej_jeune": "CEJ", "cej_enfance": "CEJ"}

# Properties every generated set must show (the realism test checks their union).
REQUIRED_PROPERTIES = [
    "cover",
    "sommaire",
    "preambule",
    "cadre_legal",
    "diagnostic",
    "figure",
    "table_ruled",
    "table_unruled",
    "gouvernance",
    "copil",
    "cotech",
    "commissions",
    "participation",
    "axes_varied",
    "contributions",
    "evaluation",
    "signatures",
    "annexes",
    "headers_footers",
    "two_columns",
    "footnotes",
    "hyphenation",
    "ligatures",
    "typographic_apostrophes",
    "names_broken",
    "variant_full",
    "variant_acronym",
    "variant_both",
    "variant_former",
    "variant_departmental",
    "variant_dotted",
    "variant_caps",
    "variant_elision",
    "table_only_entity",
    "contrastive",
    "ambiguous_cls_sante",
    "ambiguous_cls_securite",
    "ambiguous_cej_jeune",
    "ambiguous_cej_enfance",
    "signatures_grid",
    "signatures_list",
    "signatures_scan",
    "out_of_lexicon",
    "page_a4",
    "page_letter",
    "producer_reportlab",
    "producer_chromium",
    "pages_20_120",
    "fonts_varied",
]


def _properties(doc: M.Document, pages: int, mentions: list[M.Mention]) -> set[str]:
    props = set(doc.properties)
    kinds = {type(b).__name__ for b in doc.blocks}
    headings = " ".join(b.text for b in doc.blocks if isinstance(b, M.Heading))
    props |= {"cover"} if "Cover" in kinds else set()
    props |= {"sommaire"} if "Toc" in kinds else set()
    for key, word in [
        ("preambule", "Préambule"),
        ("cadre_legal", "Cadre légal"),
        ("diagnostic", "Diagnostic"),
        ("gouvernance", "Gouvernance"),
        ("copil", "COPIL"),
        ("cotech", "COTECH"),
        ("commissions", "commissions"),
        ("participation", "Participation"),
        ("evaluation", "valuation"),
        ("annexes", "Annexes"),
    ]:
        if word in headings:
            props.add(key)
    if any(isinstance(b, M.Para) and b.style == "h2" for b in doc.blocks):
        props.add("contributions")
    if sum(1 for b in doc.blocks if isinstance(b, M.Heading) and b.level == 2 and b.theme) >= 8:
        props.add("axes_varied")
    props |= {"figure"} if "Figure" in kinds else set()
    props |= {"footnotes"} if "Footnote" in kinds else set()
    props |= {"headers_footers"}
    tables = [b for b in doc.blocks if isinstance(b, M.Table)]
    props |= {"table_ruled"} if any(t.ruled for t in tables) else set()
    props |= {"table_unruled"} if any(not t.ruled for t in tables) else set()
    if any(isinstance(b, M.Columns) and b.on for b in doc.blocks):
        props.add("two_columns")
    if any(isinstance(b, M.Para) and b.manual_breaks for b in doc.blocks):
        props.add("hyphenation")
    for block in doc.blocks:
        if isinstance(block, M.Signatures):
            props |= {"signatures", f"signatures_{block.style}"}
    for m in mentions:
        if m.entity_id:
            props.add(f"variant_{m.variant}")
        if m.elided:
            props.add("variant_elision")
        if m.broken:
            props.add("names_broken")
        if m.context == "contrastive":
            props.add("contrastive")
        if m.org:
            props.add("out_of_lexicon")
        if m.entity_id in AMBIGUOUS and m.surface == AMBIGUOUS[m.entity_id]:
            props.add(f"ambiguous_{m.entity_id}")
    by_entity: dict[str, set[str]] = {}
    for m in mentions:
        by_entity.setdefault(m.entity_id, set()).add(m.context)
    if any(e and contexts == {"table"} for e, contexts in by_entity.items()):
        props.add("table_only_entity")
    props.add(f"page_{doc.page_size.lower()}")
    props.add(f"producer_{doc.producer}")
    props.add(f"font_{doc.font}")
    if 20 <= pages <= 120:
        props.add("pages_20_120")
    return props


def contract_gold(
    doc: M.Document,
    file_name: str,
    territory: str,
    department: str,
    pages: int,
    profiles: dict[str, Profile],
    producer_note: str = "",
) -> dict[str, Any]:
    """The gold entry of one rendered contract."""
    records: list[tuple[M.Mention, int]] = []
    for block in doc.blocks:
        for mention in block.mentions():
            records.append((mention, block.pages[0] if block.pages else 0))
    mentions = [m for m, _ in records]
    entities: dict[str, dict[str, Any]] = {}
    orgs: dict[str, dict[str, Any]] = {}
    for mention, page in records:
        if mention.org:
            org = orgs.setdefault(mention.org, {"name": mention.org, "signataire": False, "pages": []})
            org["signataire"] |= mention.signature
            if page not in org["pages"]:
                org["pages"].append(page)
            continue
        entry = entities.setdefault(
            mention.entity_id,
            {"entity_id": mention.entity_id, "signataire": False, "pages": [], "themes": [], "surfaces": []},
        )
        entry["signataire"] |= mention.signature
        if page and page not in entry["pages"]:
            entry["pages"].append(page)
        if mention.theme and mention.theme not in entry["themes"]:
            entry["themes"].append(mention.theme)
        if mention.surface not in entry["surfaces"]:
            entry["surfaces"].append(mention.surface)
    partners, dispositifs = [], []
    for entity_id in sorted(entities):
        entry = entities[entity_id]
        entry["pages"].sort()
        if profiles[entity_id].kind == "dispositif":
            entry.pop("signataire")
            dispositifs.append(entry)
        else:
            partners.append(entry)
    return {
        "contract_id": doc.contract_id,
        "file": file_name,
        "territory": territory,
        "department": department,
        "producer": doc.producer,
        "producer_note": producer_note,
        "page_size": doc.page_size,
        "font": doc.font,
        "pages": pages,
        "properties": sorted(_properties(doc, pages, mentions)),
        "partners": partners,
        "dispositifs": dispositifs,
        "mentions": [
            {
                "entity_id": m.entity_id,
                "page": p,
                "surface": m.surface,
                "theme": m.theme,
                "context": m.context,
                "variant": m.variant,
            }
            for m, p in records
            if not m.org
        ],
        "out_of_lexicon": list(orgs.values()),
        "acceptable_candidates": [C.FOOTNOTE_BODY],
    }


def corpus_properties(contracts: list[dict[str, Any]]) -> set[str]:
    """Union of the properties of a corpus; adds fonts_varied when two fonts or more are used."""
    props = {p for c in contracts for p in c["properties"]}
    if len({c["font"] for c in contracts}) >= 2:
        props.add("fonts_varied")
    if all("pages_20_120" in c["properties"] for c in contracts):
        props.add("pages_20_120")
    else:
        props.discard("pages_20_120")
    return props
