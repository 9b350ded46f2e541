"""Signature pages of a demo contract: grids of blocks, lists, or scanned images, one page per chunk."""

from __future__ import annotations

from pipeline.demo.model import Block, Heading, Mention, PageBreak, SigBlock, Signatures
from pipeline.demo.names import org_ref
from pipeline.demo.sections import Context

SIG_TITLES = [
    ("Directeur", "Directrice"),
    ("Directeur général", "Directrice générale"),
    ("Président", "Présidente"),
    ("Délégué territorial", "Déléguée territoriale"),
]
SIG_PER_PAGE = {"grid": 10, "list": 14, "scan": 8}


def _sig_block(ctx: Context, entity_id: str, style: str) -> SigBlock:
    segs = ["Pour ", *ctx.name(entity_id, context="scan" if style == "scan" else "signature")]
    for s in segs:
        if isinstance(s, Mention):
            s.signature = True
    if any(isinstance(s, Mention) and s.variant == "caps" for s in segs):
        segs = [s.upper() if isinstance(s, str) else s for s in segs]
    titles = (f"Préfet {ctx.terr.de_dep}", f"Préfète {ctx.terr.de_dep}") if entity_id == "etat" else None
    person, _, title = ctx.person(titles or ctx.rng.choice(SIG_TITLES)).partition(", ")
    return SigBlock(segments=segs, person=person, title=title)


def signatures(ctx: Context) -> list[Block]:
    style = ctx.feat["signature_style"]
    signers = ["etat"] + [e for e, s in sorted(ctx.assign.partners.items()) if s and e != "etat"]
    front = [e for e in ("conseil_regional", "conseil_departemental") if e in signers]
    rest = [e for e in signers[1:] if e not in front]
    ctx.rng.shuffle(rest)
    order = ["etat", *front, *rest]
    sig_blocks = [_sig_block(ctx, e, style) for e in order]
    local = [
        SigBlock([f"Pour {ctx.terr.epci}"], *ctx.person(("Président", "Présidente")).split(", ")),
        SigBlock([f"Pour la commune de {ctx.terr.town}"], *ctx.person(("Maire", "Maire")).split(", ")),
    ]
    sig_blocks[1:1] = local
    if ctx.assign.index % 4 == 1 and ctx.feat.get("orgs"):
        org, article = ctx.feat["orgs"][0]
        segs = ["Pour ", *org_ref(org, article, context="signature")]
        for s in segs:
            if isinstance(s, Mention):
                s.signature = True
        sig_blocks.append(SigBlock(segs, *ctx.person(("Gérant", "Gérante")).split(", ")))
    pages: list[Block] = [PageBreak(), Heading(text="8. Signatures", level=1)]
    intro = (
        f"Fait à {ctx.terr.town}, le {ctx.rng.randrange(2, 28)} "
        f"{ctx.rng.choice(['mars', 'juin', 'juillet', 'octobre'])} 2024"
    )
    per = SIG_PER_PAGE[style]
    chunks = [sig_blocks[k : k + per] for k in range(0, len(sig_blocks), per)]
    if ctx.feat["extra_signature_list"] and style != "list" and len(chunks[-1]) > 2:
        chunks.append(chunks[-1][len(chunks[-1]) // 2 :])
        chunks[-2] = chunks[-2][: len(chunks[-2]) // 2]
    for k, chunk in enumerate(chunks):
        this = "list" if (ctx.feat["extra_signature_list"] and k == len(chunks) - 1 and k > 0) else style
        for block in chunk:
            for s in block.segments:
                if isinstance(s, Mention):
                    s.context = "scan" if this == "scan" else "signature"
        pages.append(
            Signatures(style=this, title="Signataires" if k == 0 else "Signataires (suite)", intro=intro, blocks=chunk)
        )
    return pages
