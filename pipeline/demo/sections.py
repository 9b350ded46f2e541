"""The sections of a demo contract: préambule, diagnostic, gouvernance, participation, axes, articulation,
partner contributions, évaluation, signatures and annexes, each a list of blocks with gold mentions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from pipeline.demo import content as C
from pipeline.demo.calibration import Assignment, Profile
from pipeline.demo.model import (
    Block,
    Cell,
    Figure,
    Footnote,
    Heading,
    PageBreak,
    Para,
    Segment,
    Table,
)
from pipeline.demo.names import org_ref
from pipeline.demo.territories import Territory


@dataclass
class Context:
    """Everything the section builders share for one contract."""

    assign: Assignment
    terr: Territory
    profiles: dict[str, Profile]
    rng: random.Random
    name: Any  # compose.Namer
    feat: dict[str, Any]
    plan: dict[str, Any]
    axes: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        excluded = set(self.plan["table_only"]) | {self.plan["contrastive"]}
        for entity_id in sorted(self.assign.partners) + sorted(self.assign.dispositifs):
            if entity_id in excluded or entity_id in ("etat", "conseils_citoyens", "fph"):
                continue
            themes = [t for t in self.profiles[entity_id].themes if t in C.THEMES]
            if not themes:
                continue
            self.axes.setdefault(themes[0], []).append(entity_id)
            if len(themes) > 1 and self.rng.random() < 0.5:
                self.axes.setdefault(themes[1], []).append(entity_id)

    def person(self, titles: tuple[str, str] | None = None) -> str:
        female = self.rng.random() < 0.5
        first = self.rng.choice(C.FIRST_NAMES_F if female else C.FIRST_NAMES_M)
        name = f"{'Mme' if female else 'M.'} {first} {self.rng.choice(C.LAST_NAMES)}"
        return f"{name}, {titles[1] if female else titles[0]}" if titles else name

    def para(self, segments: list[Segment], theme: str | None = None, style: str = "body") -> Para:
        return Para(
            segments=segments,
            theme=theme,
            style=style,
            manual_breaks=bool(self.feat["hyphenation"]) and style in ("body", "bullet"),
        )

    def mentionable(self) -> list[str]:
        excluded = set(self.plan["table_only"])
        return [e for e in sorted(self.assign.partners) if e not in excluded]


def _sentence(ctx: Context, entity_id: str, theme: str, templates: list[tuple[str, str]]) -> list[Segment]:
    from pipeline.demo.compose import fill_template

    template, prep = ctx.rng.choice(templates)
    entity = ctx.name(entity_id, prep=prep, theme=theme)
    return fill_template(template, entity, action=ctx.rng.choice(C.ACTIONS.get(theme, C.ACTIONS["emploi"])))


def preamble(ctx: Context) -> list[Block]:
    rng = ctx.rng
    blocks: list[Block] = [PageBreak(), Heading(text="1. Préambule", level=1)]
    texts = C.PREAMBLE[:3]
    rng.shuffle(texts)
    blocks += [ctx.para([t]) for t in texts]
    blocks.append(Heading(text="Cadre légal et réglementaire", level=2))
    blocks += [ctx.para([t]) for t in C.PREAMBLE[3:]]
    blocks.append(
        ctx.para(
            [
                "Les orientations nationales ont été précisées lors du comité interministériel des "
                "villes du 27 octobre 2023¹."
            ]
        )
    )
    if ctx.assign.index % 2 == 0:
        blocks.append(ctx.para(["Le présent contrat est conclu entre les parties suivantes :"]))
        signers = ["etat"] + [e for e, s in sorted(ctx.assign.partners.items()) if s and e != "etat"]
        for entity_id in signers[:12]:
            blocks.append(ctx.para(["– ", *ctx.name(entity_id, capitalize=True)], style="bullet"))
        blocks.append(ctx.para([f"– {ctx.terr.epci}, établissement porteur du contrat ;"], style="bullet"))
    blocks.append(
        Footnote(
            mark="¹",
            segments=[f"¹ {C.FOOTNOTE_BODY}, « Quartiers 2030 », Chanteloup-les-Vignes, 27 octobre 2023."],
        )
    )
    return blocks


def diagnostic(ctx: Context) -> list[Block]:
    rng, terr = ctx.rng, ctx.terr
    blocks: list[Block] = [PageBreak(), Heading(text="2. Diagnostic territorial", level=1)]
    population = [rng.randrange(900, 9000) for _ in terr.qpv]
    blocks.append(
        ctx.para(
            [
                f"Le territoire de {terr.epci} compte {len(terr.qpv)} quartier(s) prioritaire(s) "
                f"regroupant {sum(population):,} habitants".replace(",", " ")
                + ", soit une part significative de la population intercommunale²."
            ]
        )
    )
    rows: list[list[Cell]] = [
        [[q], [terr.town], [f"{p:,}".replace(",", " ")], [f"{rng.randrange(35, 62)} %"], [f"{rng.randrange(28, 45)} %"]]
        for q, p in zip(terr.qpv, population, strict=True)
    ]
    blocks.append(
        Table(
            header=["Quartier", "Commune", "Population", "Taux de pauvreté", "Moins de 25 ans"],
            rows=rows,
            ruled=True,
            caption="Tableau 1 – Les quartiers prioritaires du territoire",
        )
    )
    blocks.append(
        Figure(
            title="Taux de pauvreté par quartier (%)", bars=[(q[:18], float(rng.randrange(35, 62))) for q in terr.qpv]
        )
    )
    for theme in ("emploi", "education_jeunesse", "acces_droits", "cadre_vie"):
        blocks.append(Heading(text=C.THEME_LABELS[theme], level=3, theme=theme))
        blocks.append(ctx.para([rng.choice(C.AXIS_INTROS[theme])], theme=theme))
    source = []
    if "caf" in ctx.assign.partners and "caf" not in ctx.plan["table_only"]:
        source = [
            "Sources : Insee, recensement 2020 ; données ",
            *ctx.name("caf", theme="acces_droits"),
            " au 31 décembre 2022.",
        ]
    else:
        source = ["Sources : Insee, recensement 2020 ; fichiers fiscaux 2021."]
    blocks.append(ctx.para(source, theme="acces_droits", style="small"))
    ind: list[list[str]] = [
        ["Taux de chômage", f"{rng.randrange(20, 34)} %", f"{rng.randrange(8, 14)} %"],
        ["Familles monoparentales", f"{rng.randrange(25, 40)} %", f"{rng.randrange(12, 20)} %"],
        ["Sans diplôme (15 ans et plus)", f"{rng.randrange(30, 50)} %", f"{rng.randrange(15, 25)} %"],
        ["Logements sociaux", f"{rng.randrange(55, 90)} %", f"{rng.randrange(12, 25)} %"],
    ]
    blocks.append(
        Table(
            header=["Indicateur", "Quartiers", "Intercommunalité"],
            rows=[[[c] for c in r] for r in ind],
            ruled=False,
            caption="Tableau 2 – Indicateurs clés",
        )
    )
    return blocks


def diagnostic_footnote(ctx: Context) -> Footnote:
    if "france_travail" in ctx.assign.partners:
        segs = [
            "² Estimation à partir des données de l'Insee et ",
            *ctx.name("france_travail", prep="de", theme="emploi", context="footnote"),
            " (2023).",
        ]
        return Footnote(mark="²", segments=segs, theme="emploi")
    return Footnote(mark="²", segments=["² Estimation à partir des données de l'Insee (2023)."])


def governance(ctx: Context) -> list[Block]:
    _rng, terr = ctx.rng, ctx.terr
    th = "gouvernance"
    blocks: list[Block] = [PageBreak(), Heading(text="3. Gouvernance", level=1, theme=th)]
    blocks.append(
        ctx.para(
            [
                "La gouvernance du contrat repose sur des instances resserrées, associant les "
                "signataires et les représentants des habitants."
            ],
            theme=th,
        )
    )
    blocks.append(Heading(text="Le comité de pilotage (COPIL)", level=2, theme=th))
    blocks.append(
        ctx.para(
            [
                "Le COPIL est co-présidé par ",
                *ctx.name("etat", theme=th, variant="departmental"),
                f" et le président de {terr.epci}. Il se réunit au moins une fois par an. Il est composé de :",
            ],
            theme=th,
        )
    )
    members = [e for e in ctx.mentionable() if ctx.assign.partners[e] and e != "etat"]
    for entity_id in members[:10]:
        blocks.append(ctx.para([f"– {ctx.person()}, pour ", *ctx.name(entity_id, theme=th)], th, "bullet"))
    blocks.append(Heading(text="Le comité technique (COTECH)", level=2, theme=th))
    cotech = [e for e in ctx.mentionable() if e not in members[:10] and e != ctx.plan["contrastive"]][:3]
    segs: list[Segment] = ["Le COTECH réunit les techniciens des signataires"]
    for entity_id in cotech:
        segs += [", ", *ctx.name(entity_id, theme=th)]
    segs.append(". Il prépare les décisions du COPIL et suit la programmation annuelle.")
    blocks.append(ctx.para(segs, th))
    blocks.append(Heading(text="Les commissions thématiques", level=2, theme=th))
    rows: list[list[Cell]] = []
    for theme in ("emploi", "sante", "cadre_vie", "securite", "education_jeunesse"):
        present = [e for e in ctx.axes.get(theme, []) if e in ctx.assign.partners][:3]
        cell: list[Segment] = []
        for entity_id in present:
            cell += ([", "] if cell else []) + ctx.name(entity_id, theme=theme, context="table")
        rows.append([[C.THEME_LABELS[theme]], [ctx.person()], cell or ["services de la collectivité"]])
    blocks.append(
        Table(
            header=["Commission", "Animation", "Membres"],
            rows=rows,
            ruled=ctx.assign.index % 2 == 1,
            caption="Composition des commissions",
            theme=th,
        )
    )
    return blocks


def participation(ctx: Context) -> list[Block]:
    th = "participation"
    blocks: list[Block] = [Heading(text="Participation citoyenne", level=2, theme=th)]
    texts = list(C.PARTICIPATION)
    ctx.rng.shuffle(texts)
    blocks += [ctx.para([t], th) for t in texts[:3]]
    if "conseils_citoyens" in ctx.assign.dispositifs:
        blocks.append(
            ctx.para(
                [
                    "Les ",
                    *ctx.name("conseils_citoyens", theme=th, variant="full"),
                    " sont maintenus et leur composition sera renouvelée en 2025.",
                ],
                th,
            )
        )
    if "fph" in ctx.assign.dispositifs:
        blocks.append(
            ctx.para(
                ["Un ", *ctx.name("fph", theme=th, variant="both"), " soutiendra les micro-projets des habitants."], th
            )
        )
    return blocks


def axis(ctx: Context, k: int, theme: str) -> list[Block]:
    from pipeline.demo.compose import fill_template

    rng = ctx.rng
    title = rng.choice(C.AXIS_TITLES[theme])
    prefix = ["Axe {k} – ", "Orientation {k} : ", "Pilier {k}. ", "{k}.{k2} "][ctx.assign.index % 4]
    blocks: list[Block] = [Heading(text=prefix.format(k=k, k2=k) + title, level=2, theme=theme)]
    intro = list(C.AXIS_INTROS[theme])
    rng.shuffle(intro)
    blocks.append(ctx.para([" ".join(intro[:2])], theme))
    blocks.append(ctx.para(["Objectifs opérationnels :"], theme))
    for objective in rng.sample(C.OBJECTIVES[theme], 3):
        blocks.append(ctx.para([f"• {objective} ;"], theme, "bullet"))
    sentences: list[list[Segment]] = []
    for entity_id in ctx.axes.get(theme, []):
        if entity_id in C.SENSE_SENTENCES:
            template = rng.choice(C.SENSE_SENTENCES[entity_id])
            first = ctx.name.count.get(entity_id, 0) == 0
            entity = ctx.name(entity_id, theme=theme, variant="acronym" if first else None)
            sentences.append(fill_template(template, entity))
        elif entity_id in ctx.assign.dispositifs:
            sentences.append(_sentence(ctx, entity_id, theme, C.DISPOSITIF_TEMPLATES))
        else:
            sentences.append(_sentence(ctx, entity_id, theme, C.PARTNER_TEMPLATES))
    contrastive = ctx.plan["contrastive"]
    if contrastive and theme == ctx.profiles[contrastive].themes[0]:
        template, _ = rng.choice(C.CONTRASTIVE_TEMPLATES)
        entity = ctx.name(contrastive, theme=theme, context="contrastive")
        sentences.append(fill_template(template, entity, label=C.THEME_LABELS[theme]))
    if theme in ("emploi", "culture") and ctx.feat.get("orgs"):
        org, article = ctx.feat["orgs"][0 if theme == "emploi" else -1]
        template = rng.choice(C.OUT_OF_LEXICON_SENTENCES)
        sentences.append(fill_template(template.replace("{O}", "{E}"), org_ref(org, article, theme=theme)))
    for start in range(0, len(sentences), 3):
        segs: list[Segment] = []
        for sentence in sentences[start : start + 3]:
            segs += ([" "] if segs else []) + sentence
        blocks.append(ctx.para(segs, theme))
    return blocks


def articulation(ctx: Context) -> list[Block]:
    rows = []
    for entity_id in sorted(ctx.assign.dispositifs):
        if ctx.rng.random() < 0.5 or entity_id in ("conseils_citoyens", "fph"):
            continue
        theme = ctx.profiles[entity_id].themes[0]
        rows.append(
            [
                ctx.name(entity_id, theme=theme, context="table"),
                [C.THEME_LABELS[theme]],
                [
                    ctx.rng.choice(
                        [
                            "Comité de suivi commun",
                            "Diagnostic partagé",
                            "Actions communes",
                            "Participation croisée aux instances",
                        ]
                    )
                ],
            ]
        )
    blocks: list[Block] = [
        PageBreak(),
        Heading(text="5. Articulation avec le droit commun", level=1),
        ctx.para(
            [
                "Le contrat de ville mobilise en priorité les politiques de droit commun, "
                "complétées par les crédits spécifiques de la politique de la ville."
            ]
        ),
    ]
    if rows:
        blocks.append(
            Table(
                header=["Dispositif", "Thématique", "Modalités"],
                rows=rows,
                ruled=True,
                caption="Tableau 3 – Articulations avec les politiques publiques",
            )
        )
    return blocks


def contributions(ctx: Context) -> list[Block]:
    blocks: list[Block] = [
        PageBreak(),
        Heading(text="6. Engagements des partenaires", level=1),
        ctx.para(["Chaque signataire précise ci-après sa contribution au contrat."]),
    ]
    for entity_id in ctx.plan["contributions"]:
        profile = ctx.profiles[entity_id]
        theme = next((t for t in profile.themes if t in C.THEMES), "gouvernance")
        blocks.append(PageBreak())
        blocks.append(
            Para(
                segments=["Contribution ", *ctx.name(entity_id, prep="de", theme=theme, context="heading")],
                theme=theme,
                style="h2",
            )
        )
        blocks.append(ctx.para([f"Thématique principale : {C.THEME_LABELS[theme]}"], theme, "small"))
        for _ in range(2):
            sentence = _sentence(ctx, entity_id, theme, C.PARTNER_TEMPLATES)
            blocks.append(ctx.para([*sentence, " " + ctx.rng.choice(C.AXIS_INTROS[theme])], theme))
        for objective in ctx.rng.sample(C.OBJECTIVES[theme], 2):
            blocks.append(ctx.para([f"• {objective}"], theme, "bullet"))
    return blocks


def evaluation(ctx: Context) -> list[Block]:
    th = "evaluation"
    blocks: list[Block] = [PageBreak(), Heading(text="7. Évaluation", level=1, theme=th)]
    texts = list(C.EVALUATION)
    ctx.rng.shuffle(texts)
    blocks += [ctx.para([t], th) for t in texts[:3]]
    if "anct" in ctx.assign.partners and "anct" not in ctx.plan["table_only"]:
        blocks.append(
            ctx.para(
                [
                    "Les données de l'observatoire national, mises à disposition par ",
                    *ctx.name("anct", theme=th),
                    ", seront mobilisées.",
                ],
                th,
            )
        )
    rows: list[list[Cell]] = [
        [["Taux de chômage des 16-25 ans"], ["Annuelle"]],
        [["Nombre d'habitants accompagnés"], ["Annuelle"]],
        [["Participation aux instances"], ["Semestrielle"]],
    ]
    blocks.append(
        Table(
            header=["Indicateur", "Fréquence"],
            rows=rows,
            ruled=False,
            theme=th,
            caption="Tableau 4 – Indicateurs de suivi",
        )
    )
    return blocks


def annexes(ctx: Context) -> list[Block]:
    blocks: list[Block] = [PageBreak(), Heading(text="Annexes", level=1), Heading(text="Annexe 1 – Glossaire", level=2)]
    rows = []
    for entity_id in sorted(ctx.assign.partners):
        profile = ctx.profiles[entity_id]
        if profile.acronym and entity_id not in ctx.plan["table_only"] and ctx.rng.random() < 0.6:
            rows.append([[profile.acronym], ctx.name(entity_id, context="glossary", variant="full")])
    blocks.append(
        Table(
            header=["Sigle", "Signification"],
            rows=rows or [[["QPV"], ["Quartier prioritaire"]]],
            ruled=False,
            caption="",
        )
    )
    blocks.append(Heading(text="Annexe 2 – Annuaire des partenaires techniques", level=2))
    rows = []
    for entity_id in ctx.plan["table_only"]:
        theme = next((t for t in ctx.profiles[entity_id].themes if t in C.THEMES), "gouvernance")
        rows.append(
            [ctx.name(entity_id, theme=theme, context="table", variant="full"), [C.THEME_LABELS[theme]], [ctx.person()]]
        )
    rows.append([[f"Service politique de la ville de {ctx.terr.epci}"], ["Gouvernance"], [ctx.person()]])
    blocks.append(Table(header=["Organisme", "Thématique", "Référent"], rows=rows, ruled=True, caption=""))
    return blocks


def ensure_all_named(ctx: Context, blocks: list[Block]) -> None:
    """Name, in a closing annex paragraph, any present entity that no section happened to name."""
    named = {m.entity_id for b in blocks for m in b.mentions()}
    missing = [e for e in sorted(ctx.assign.partners) + sorted(ctx.assign.dispositifs) if e not in named]
    segs: list[Segment] = []
    for entity_id in missing:
        segs += ([", "] if segs else ["Sont également associés à la démarche : "]) + ctx.name(entity_id)
    if segs:
        blocks.append(ctx.para([*segs, "."]))
    unexpected = named - set(ctx.assign.partners) - set(ctx.assign.dispositifs) - {""}
    if unexpected:
        raise AssertionError(f"entités non tirées nommées : {sorted(unexpected)}")


def fiches(ctx: Context, count: int) -> list[Block]:
    """Action sheets (annex 3), used to reach the contract's target length."""
    blocks: list[Block] = []
    for k in range(1, count + 1):
        theme = C.THEMES[(k + ctx.assign.index) % len(C.THEMES)]
        objective = ctx.rng.choice(C.OBJECTIVES[theme])
        blocks += [PageBreak(), Heading(text=f"Fiche action n° {k} : {objective}", level=2, theme=theme)]
        for text in ctx.rng.sample(C.FICHE_TEXT, 4):
            blocks.append(ctx.para([text.format(action=ctx.rng.choice(C.ACTIONS[theme]))], theme))
        rows: list[list[Cell]] = [
            [["Crédits spécifiques politique de la ville"], [f"{ctx.rng.randrange(5, 60)} 000 €"]],
            [["Collectivité"], [f"{ctx.rng.randrange(5, 40)} 000 €"]],
            [["Autres financeurs"], [f"{ctx.rng.randrange(1, 20)} 000 €"]],
        ]
        blocks.append(Table(header=["Financement", "Montant annuel"], rows=rows, ruled=k % 2 == 0, theme=theme))
    return blocks
