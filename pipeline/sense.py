"""Mention senses: does a candidate mention name the lexicon entity, or a data source, a territory, another body?

Every candidate mention (a lexicon hit, a loose variant such as "Caf" or "les départements", an ambiguous
word such as "Insee" or "État") is described by its context: the words around it (folded, as the review
anchors store them, so that reviewers' decisions are training examples too), its casing, a footnote number,
cues such as "Sources :" before it or "de l'Aude" after it, its place in a signature block or a table. A
calibrated scikit-learn classifier (the `mention` model in `models/`) gives the probability of each sense:

- `entite`: the mention names the entity as a partner or a scheme of the text;
- `source`: a data source ("Sources : Insee, recensement 2020");
- `territoire`: a territory ("dans le département de l'Aude", "la région compte 19 contrats");
- `autre`: another body or a part of another name ("secrétaire d'État", "Conseil d'État");
- `non`: not this entity at all ("état des lieux", a word in capitals).

The classify stage keeps a mention when P(entite) reaches its kind's threshold (`accept_threshold`, chosen out
of fold by `cdv train`; `ACCEPT_PROBABILITY` without one) and multiplies it into the detection's score, so
uncertain mentions come first in the review queue.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pipeline.candidate_words import candidate_words
from pipeline.match import LOOSE_METHODS
from pipeline.review.anchor import HIT_MARK, normalise
from pipeline.structure import is_contents_line, is_numbered_line

SENSES = ("entite", "source", "territoire", "autre", "non")
ENTITY_SENSE = "entite"
MENTION_RADIUS = 150  # the widest format rule (`STATE_MINISTER`) reads 140 characters back
ACCEPT_PROBABILITY = 0.5
MIN_CLASS_EXAMPLES = 6
MIN_FEATURE_MENTIONS = 2  # a feature only one training mention has is dropped (`shared_features`)
WINDOW_WORDS = 5
SOURCE_WORDS = {
    "source",
    "sources",
    "donnees",
    "apres",
    "selon",
    "recensement",
    "etude",
    "etudes",
    "enquete",
    "barometre",
    "sens",  # « les personnes sans-domicile au sens de l'INSEE »: a definition's source
}
TERRITORY_BEFORE = {"dans", "sur", "chaque", "ensemble", "tout", "toute", "hors", "departements", "regions"}
ARTICLES = {"le", "la", "les", "l", "du", "des", "de", "d", "au", "aux"}
COUNTING = (  # « sept départements », « 95 départements », « tous les départements »: places counted, not a partner
    "deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize vingt trente quarante "
    "cinquante soixante cent plusieurs quelques nombreux nombreuses certains certaines tous toutes divers "
    "differents differentes"
)
COUNT_WORDS = frozenset(COUNTING.split())
LINKS = ARTICLES | {"en", "a", "par", "pour", "avec", "aupres"}
SCOPE_ADJECTIVES = frozenset(normalise(word) for word in candidate_words().scopes)  # "national", "générale" …
HEAD_CLASSES = {
    # a body whose name holds the mention ("Association des régions de France", "Conseil d'État")
    "organisation": {
        "association",
        "assemblee",
        "federation",
        "union",
        "reseau",
        "conseil",
        "comite",
        "syndicat",
        "chambre",
        "observatoire",
        "conference",
        "ordre",
        "institut",
        "cour",
        "tribunal",
        "agence",
        "caisse",
        "office",
    },
    # a title or office whose complement the mention is ("préfet de la région", "ministre de l'Éducation")
    "titre": {
        "ministre",
        "ministere",
        "secretariat",
        "secretaire",
        "prefet",
        "prefete",
        "prefecture",
        "sous-prefecture",
        "president",
        "presidente",
        "directeur",
        "directrice",
        "delegue",
        "deleguee",
        "commissaire",
        "inspecteur",
        "chancelier",
    },
}
YEAR = re.compile(r"^\W*(?:rp\s*)?(?:19|20)\d\d\b", re.IGNORECASE)
ADDRESS_WORDS = {
    "sise",
    "sis",
    "situe",
    "situee",
    "rue",
    "avenue",
    "boulevard",
    "parvis",
    "place",
    "quai",
    "adresse",
    "siege",
}
LOCATIVE_BEFORE = {"au", "aux", "devant", "pres"}  # "au centre social de Kerangoff": where, not who
STAMP = re.compile(  # the legality-control stamp (@ctes): « AR Prefecture », « Reçu en préfecture », the act's id
    r"accus[ée]e?\s+de\s+r[ée]ception|re[çc]u\s+en\s+pr[ée]fecture|envoy[ée]\s+en\s+pr[ée]fecture"
    r"|certifi[ée]e?\s+ex[ée]cutoire|r[ée]ception\s+(?:par\s+le\s+)?pr[ée]fet|envoi\s+(?:en\s+)?pr[ée]fecture"
    r"|\bID\s*:\s*\d{3}-\d{9}"
    r"|\bAR\s+pr[ée]fecture\b|\b[0-9][0-9AB][0-9]-\d{9}-\d{8}-"
    r"|(?:(?:certifi[ée]e?\s+)?transmise?s?\s+au|re[çc]ue?s?\s+par\s+le)\s+repr[ée]sentant\s+de\s+l['’]\s*[ÉEée]tat"
    r"|date\s+de\s+r[ée]ception\s+(?:en\s+)?pr[ée]fecture|t[ée]l[ée]transmission"
    r"|(?:transmission|rendue?s?\s+ex[ée]cutoires?)\s+(?:[^.;\n]{0,30}\s)?(?:en|[àa]\s+la)\s+pr[ée]fecture",
    re.IGNORECASE,
)
STAMP_REACH = 40
STREET_BEFORE = re.compile(  # « Parvis de la Préfecture », « 12 rue de la Poste »: a street's name, an address
    r"(?:\b(?:Rue|Avenue|Boulevard|Bd|BD|Parvis|Place|Quai|Allée|Impasse|Chemin|Square|Esplanade)"
    r"|\d+(?:\s*(?:bis|ter))?,?\s+(?i:rue|avenue|boulevard|bd|parvis|place|quai|allée|impasse|chemin|square|esplanade))"
    r"\s+(?i:de\s+la|de\s+l['’]|du|des|de)\s*$"
)
PREFECT_OF = re.compile(  # « Préfet de Région Ile-de-France », « Préfet du département du Morbihan »: the State's agent
    r"\b(?:sous-)?pr[ée]f(?:et|[èe]te|ecture)s?\s+(?:de\s+r[ée]gion\s+et\s+)?(?:de\s+la\s+|de\s+l['’]|du\s+|des\s+|de\s+)$",
    re.IGNORECASE,
)
COLLECTIVITIES = frozenset({"conseil_regional", "conseil_departemental"})
COMPANY_OF = re.compile(  # « Société d'Équipement du Département de La Réunion »: a company named for its territory
    r"\bSoci[ée]t[ée]\s+(?:[dD]['’]\s?)?[A-ZÉa-zé][\w-]*(?:\s+[A-ZÉa-zé][\w-]*){0,2}(?:\s+(?:du|de\s+la|de\s+l['’]))?\s*$"
)
STATE_COMPOUND = re.compile(  # « diplôme d'État », « secrétariat d'État », « Conseil d'État », « financements d'État »,
    # « un acteur d'Etat »: « d'État » without its article qualifies a noun, it is not the State as a partner; nor is
    # « un établissement public (industriel et commercial) de l'État » (an agency, named for its status)
    r"(?:\b[a-zà-ÿ]+\s+d['’]|\b[ée]tablissements?\s+publics?\s+(?:[a-zà-ÿ]+\s+){0,3}de\s+(?:l['’])?)\s*$",
    re.IGNORECASE,
)
CHANCELLOR_OF = re.compile(  # « recteur …, Chancelier de l'Université », « chancelier des universités de Paris »
    r"\bchancel(?:ier|i[èe]re)s?\s+(?:de\s+l['’]\s*|de\s+la\s+|des\s+|du\s+)$", re.IGNORECASE
)
# « dont le siège social est situé ZI Nord Village – PMI 3 Lot 6 »: the words of an address, not a partner
SEAT_CLAUSE = re.compile(r"\bsi[èe]ge(?:\s+social)?\s+(?:est\s+)?(?:situ[ée]e?|fix[ée]e?)\s+[^,;.()«»\n]{0,40}$", re.I)
# « L'Etat, représenté par le Premier ministre, la ministre de l'éducation nationale »: ministers acting for the State
STATE_CLAUSE = r"\b[ÉEée]tat\s*,?\s+(?:repr[ée]sent[ée]e?\s+par\s+)?[^.;:()]{0,80}?"
STATE_MINISTER = re.compile(STATE_CLAUSE + r"\bministres?\s+(?:de\s+l['’]\s*|de\s+la\s+|des\s+|du\s+|de\s+)$", re.I)
STATE_CLAUSE_END = re.compile(STATE_CLAUSE + "$", re.IGNORECASE)
MINISTER = re.compile(r"ministres?\b", re.IGNORECASE)
# « 2022 DAC 132 : Subventions », « projet de délibération DAC 29 », « DDCT 3 - DAC - DJS »: a deliberation's code
# (the year, a service's acronym, a number), not the scheme or body the acronym spells elsewhere
CODE_BEFORE = re.compile(r"(?:\b(?:19|20)\d\d,?|\bd[ée]lib[ée]ration|\b[A-Z]{2,6}\s+\d{1,4}\s*[-–])\s+$", re.I)
CODE_AFTER = re.compile(r"^\s*(?:\d{1,4}\b(?![.,]\d)|[-–]\s+[A-Z]{2,6}\b)")
REFERENCE_INITIALS = re.compile(r"^/[a-z]{2,4}\b")  # « (2014)PEL/ga »: a letter's reference, the writer's initials
# « Conseil général des ponts et chaussées », « conseil général de l'environnement »: a State council named for its
# field, not the département's former council (« Conseil général de la Gironde » names a place, with a capital);
# « Département du fonds social européen » is a division of a ministry (« Département du Gard » names a place)
# « Conseil général de l Isère » (an apostrophe lost in a copy) and « président du conseil général du département de … »
# name the département's council
GENERAL_COUNCIL_OF_A_FIELD = re.compile(
    r"^\s+(?:des\s+|du\s+(?!d[ée]partement\b)|de\s+l(?:['’]\s*|\s+)|de\s+la\s+|de\s+(?!la\b|l['’]|l\s))[a-zà-ÿ]"
)
STAMPED_ENTITIES = frozenset({"etat"})  # a stamp names the préfecture the act was sent to, never a partner
REGISTRARS = frozenset({"etat", "procureur"})  # where an association is declared: préfecture, tribunal's register
# « d'un autre Etat partie à l'Espace économique européen », « les États membres »: the word before, or the word after
# (each side its own pattern: « quartiers." X., sous-préfète » ends in « tiers » once cut to twelve characters)
STATE_AS_COUNTRY_BEFORE = re.compile(r"\bautres?\s+$", re.IGNORECASE)
STATE_AS_COUNTRY_AFTER = re.compile(r"^\s*(?:parties?|membres?|tiers)\b", re.IGNORECASE)
UNIVERSITY_EVENT = re.compile(  # « l'Université de rentrée des associations », « une université d'été »: a gathering
    r"^\s*(?:d['’]\s?(?:été|automne|hiver)|de\s+(?:rentrée|printemps)|populaires?)\b", re.IGNORECASE
)
REGISTRATION_WORDS = {
    "declaree",
    "declare",
    "declarees",
    "declares",
    "inscrite",
    "inscrit",
    "enregistree",
    "enregistre",
    "immatriculee",
    "immatricule",
    "deposee",
    "deposes",
    "deposees",
    "depose",
}
# the preposition after a registration word (« déclarée à la », « enregistré sous le n° »)
REGISTERED_IN = frozenset({"a", "en", "aupres", "au", "aux", "sur", "dans", "sous"})
# « (déclaration en Préfecture le 12 janvier 1990) », « n° de déclaration de la préfecture : W 00000000 »
DECLARED_IN = re.compile(r"\bdeclaration (?:en|a|aupres|de la)\b")
REGISTRATION_REACH = 12  # « Enregistré sous le n° 52 72 012 64 72 auprès de la Préfecture »: the number between
CAPITAL_AFTER = re.compile(r"\s+(?:(?:de|du|des)\s+|d['’])?(?:la\s+|l['’])?[A-ZÉÈ]")
MARK = re.compile(re.escape(HIT_MARK.format("§")).replace("§", "(.*?)"))


@dataclass(frozen=True)
class Mention:
    """A candidate mention and its context, as printed (`surface`, `left`, `right` may also be the folded
    context of a stored review decision, where casing and punctuation are lost)."""

    entity_id: str
    kind: str
    method: str
    surface: str
    left: str
    right: str
    in_signature: bool = False
    in_table: bool = False
    printed: bool = True


def page_mention(
    text: str, start: int, end: int, entity_id: str, kind: str, method: str, in_signature: bool, in_table: bool
) -> Mention:
    """The mention of a page's text between `start` and `end`."""
    return Mention(
        entity_id=entity_id,
        kind=kind,
        method=method,
        surface=text[start:end],
        left=text[max(0, start - MENTION_RADIUS) : start],
        right=text[end : end + MENTION_RADIUS],
        in_signature=in_signature,
        in_table=in_table,
    )


def context_mention(context: str, entity_id: str, kind: str) -> Mention | None:
    """The mention of a review decision's normalised context ("left ⟦hit⟧ right"), or None without a mark."""
    found = MARK.search(context)
    if found is None:
        return None
    return Mention(
        entity_id=entity_id,
        kind=kind,
        method="",
        surface=found.group(1),
        left=context[: found.start()],
        right=context[found.end() :],
        printed=False,
    )


def shape(surface: str) -> str:
    """Casing of the printed mention: upper, title, lower or mixed."""
    letters = [c for c in surface if c.isalpha()]
    if not letters:
        return "none"
    if all(c.isupper() for c in letters):
        return "upper"
    if all(c.islower() for c in letters):
        return "lower"
    words = [w for w in re.findall(r"[^\W\d_]+", surface) if len(w) > 3]
    return "title" if words and all(w[0].isupper() and w[1:].islower() for w in words[:1]) else "mixed"


def head_before(mention: Mention) -> tuple[str, bool]:
    """The word the mention is the complement of ("association" in "Association des régions", "prefet" in
    "préfet de la région"), folded, and whether it is printed with a capital inside a sentence (a name)."""
    return head_of(mention.left)


def head_class_of(head: str) -> str:
    """The class of a head word (`HEAD_CLASSES`: a body whose name holds the mention, a title), in the singular or
    the plural (« syndicats de policiers municipaux », « préfets de région »), else "autre"."""
    head = head.removeprefix("vice-")  # « vice-président du conseil régional »: a title
    singular = head[:-1] if head.endswith(("s", "x")) and len(head) > 3 else head
    return next((name for name, words in HEAD_CLASSES.items() if head in words or singular in words), "autre")


def head_of(left: str) -> tuple[str, bool]:
    """`head_before` on the text written before a mention."""
    words = re.findall(r"[\w’'-]+|[^\w\s]", left)[-5:]
    linked = False
    while words and normalise(words[-1]) in LINKS | {"'", "’"} | {w + "'" for w in LINKS}:
        words.pop()
        linked = True
    if not words or not linked or not re.match(r"\w", words[-1]) or normalise(words[-1]) in {"et", "ou"}:
        return "", False  # "les départements et les régions": a list, not a complement
    while len(words) > 1 and normalise(words[-1]) in SCOPE_ADJECTIVES and re.match(r"\w", words[-2]):
        words.pop()  # "Conseil National des Missions Locales": the head is "Conseil", not "National"
    head = words[-1].split("'")[-1].split("’")[-1]
    previous = words[-2] if len(words) > 1 else ""
    capitalised = head[:1].isupper() and not head.isupper() and previous not in {".", "!", "?", ":", ""}
    return normalise(head), capitalised


def mention_features(mention: Mention) -> dict[str, Any]:
    """The classifier's input: neighbouring words, cues, casing, method, entity, position, and whether its line
    reads as a table of contents or agenda entry."""
    left = normalise(mention.left).split()
    right = normalise(mention.right).split()
    surface = normalise(mention.surface)
    group = "variante" if mention.method in LOOSE_METHODS else "lexique" if mention.printed else "relecture"
    features: dict[str, Any] = {
        f"entity={mention.entity_id}:{group}": 1.0,
        f"kind={mention.kind}": 1.0,
        f"surface={surface}": 1.0,
        f"entity_surface={mention.entity_id}:{surface}": 1.0,
        f"l1={left[-1] if left else '^'}": 1.0,
        f"l2={' '.join(left[-2:]) if left else '^'}": 1.0,
        f"r1={right[0] if right else '$'}": 1.0,
        f"r2={' '.join(right[:2]) if right else '$'}": 1.0,
    }
    for word in left[-WINDOW_WORDS:]:
        features[f"lw={word}"] = 1.0
    for word in right[:WINDOW_WORDS]:
        features[f"rw={word}"] = 1.0
    content_left = [w for w in left[-3:] if w not in ARTICLES]
    coordinated = max((i + 1 for i, w in enumerate(content_left) if w in {"et", "ou"}), default=0)
    features["source_cue"] = float(bool(SOURCE_WORDS & set(left[-4:])))
    # « les départements et les régions » is a list of collectivities, not « les régions » of a territory
    features["territory_cue"] = float(bool(TERRITORY_BEFORE & set(content_left[coordinated:])))
    features["place_after"] = float(bool(right) and right[0] in {"de", "du", "des", "d"})
    features["count_before"] = float(counted(left))
    features["year_after"] = float(bool(YEAR.match(" ".join(right[:2]))))
    # "association déclarée à la préfecture": where it was registered, not a partner
    features["registration_cue"] = float(registered_at(left))
    features["locative_cue"] = float(bool(left) and left[-1] in LOCATIVE_BEFORE)
    features["address_cue"] = float(bool(ADDRESS_WORDS & set(left[-3:])))  # "sise … Parvis de la Préfecture"
    # the legality-control stamp of a deliberation or convention (« Accusé de réception en préfecture »)
    features["stamp_cue"] = float(in_stamp(mention))
    head, capitalised = head_before(mention)
    if head:
        head_class = head_class_of(head)
        features[f"head={head}"] = 1.0
        features[f"head_class={head_class}"] = 1.0
        features[f"head_class_kind={head_class}:{mention.kind}"] = 1.0
        if capitalised and mention.printed:
            features[f"inside_name={head_class}"] = 1.0
    if mention.printed:
        features[f"method={mention.method}"] = 1.0
        features[f"shape={shape(mention.surface)}:{group}"] = 1.0
        if group == "variante":
            features[f"shape_entity={shape(mention.surface)}:{mention.entity_id}"] = 1.0
        raw_left = mention.left.rstrip()
        features["colon_before"] = float(raw_left.endswith(":"))
        features["paren_before"] = float(raw_left.endswith("("))
        features["line_start"] = float(not mention.left or mention.left.endswith("\n") or raw_left.endswith("\n"))
        features["capital_after"] = float(bool(CAPITAL_AFTER.match(mention.right)))
        features["footnote_digit"] = float(bool(re.match(r"\d", mention.right)))
        features["in_signature"] = float(mention.in_signature)
        features["in_table"] = float(mention.in_table)
        line = mention.left.rsplit("\n", 1)[-1] + mention.surface + mention.right.split("\n", 1)[0]
        features["contents_line"] = float(is_contents_line(line))  # "A/ ETAT DES LIEUX 8", an agenda item
        features["numbered_line"] = float(is_numbered_line(line))
    return features


def counted(left: list[str]) -> bool:
    """Whether the normalised words before a mention count it (« 95 », « sept », « tous les », « de nombreux »)."""
    words = [w for w in left[-3:] if w not in {"les", "des", "de", "d"}]
    return bool(words) and (words[-1].isdigit() or words[-1] in COUNT_WORDS)


def registered_at(left: list[str]) -> bool:
    """Whether the normalised words before a mention register something there (« association déclarée à la »,
    « déclaration en », « inscrite sur le registre spécial des associations du », « enregistré sous le n° … auprès
    de la »): where, not who. A registration word followed by its subject is a verb of speech (« a déclaré le
    préfet », « déclare X., préfet »), and « inscrite au budget de l'État » a line of a budget: both name the State."""
    recent = left[-4:]
    near = "registre" in left[-6:] or bool(DECLARED_IN.search(" ".join(recent)))
    registered = [i for i, word in enumerate(recent) if word in REGISTRATION_WORDS]
    if registered:
        after = recent[registered[-1] + 1 :]
        near = near or ((not after or after[0] in REGISTERED_IN) and "budget" not in after)
    return near or ("aupres" in left[-3:] and bool(REGISTRATION_WORDS & set(left[-REGISTRATION_REACH:])))


def state_as_country(mention: Mention) -> bool:
    """Whether « État » is written as a country among others (« un autre Etat partie à l'Espace économique
    européen », « les États membres »), not the French State."""
    return mention.printed and bool(
        STATE_AS_COUNTRY_BEFORE.search(mention.left[-12:]) or STATE_AS_COUNTRY_AFTER.search(mention.right[:12])
    )


def in_stamp(mention: Mention) -> bool:
    """Whether a mention stands within `STAMP_REACH` characters of a legality-control stamp's words."""
    return bool(STAMP.search(mention.left[-STAMP_REACH:] + mention.surface + mention.right[:STAMP_REACH]))


def accept_threshold(mention_model: Any, kind: str, entity_id: str = "") -> float:
    """The P(entite) from which a mention of this entity and kind counts: the threshold `cdv train` chose for the
    mention model (`accept_thresholds_`, `pipeline.acceptance_training`), the entity's own where it has one, else
    `ACCEPT_PROBABILITY`."""
    thresholds = getattr(mention_model, "accept_thresholds_", None) or {}
    return float(thresholds.get(f"{kind}:{entity_id}", thresholds.get(kind, ACCEPT_PROBABILITY)))


def entity_probabilities(model: Any, mentions: list[Mention]) -> list[float]:
    """P(entite) of each mention under a fitted model (1.0 for every mention without a model); 0 where the format
    says it is not the entity (`excluded_by_format`), formats the model sees too rarely to learn: « AR Prefecture
    083-218301075-20210408-… » is where the act was sent, « enregistré … auprès de la Préfecture » where the body
    was registered, « Parvis de la Préfecture » an address, whatever else the text says."""
    if not mentions:
        return []
    if model is None:
        values = [1.0 for _ in mentions]
    else:
        classes = [str(label) for label in model.classes_]
        probabilities = model.predict_proba([mention_features(m) for m in mentions])
        column = classes.index(ENTITY_SENSE)
        values = [float(row[column]) for row in probabilities]
    return [0.0 if excluded_by_format(m) else v for m, v in zip(mentions, values, strict=True)]


def state_format(mention: Mention) -> bool:
    """The State's mention in a legality-control stamp, in a compound (« diplôme d'État ») or as a country."""
    return in_stamp(mention) or STATE_COMPOUND.search(mention.left[-80:]) is not None or state_as_country(mention)


def registration_place(mention: Mention) -> bool:
    """Where a body was registered (« déclarée à la Préfecture », « registre … du Tribunal d'Instance »)."""
    return registered_at(normalise(mention.left).split())


def university_gathering(mention: Mention) -> bool:
    """A gathering called a university (« Université de rentrée des associations », « université d'été »)."""
    return mention.printed and UNIVERSITY_EVENT.match(mention.right) is not None


def territory_of_another(mention: Mention) -> bool:
    """A collectivity's word naming the territory of a préfet (« Préfet de Région ») or of a company (« Société
    d'Équipement du Département de La Réunion »)."""
    return PREFECT_OF.search(mention.left[-30:]) is not None or (
        mention.printed and COMPANY_OF.search(mention.left[-60:]) is not None
    )


def chancellor_title(mention: Mention) -> bool:
    """The recteur's title of chancellor of the universities (« Chancelier de l'Université »), not a university."""
    return CHANCELLOR_OF.search(mention.left[-40:]) is not None


def seat_address(mention: Mention) -> bool:
    """Words of the address of a body's seat (« siège social est situé ZI Nord Village – PMI 3 Lot 6 »)."""
    return mention.printed and SEAT_CLAUSE.search(mention.left[-80:]) is not None


def minister_for_the_state(mention: Mention) -> bool:
    """A minister named as the State's representative in a party clause (« L'Etat, représenté par le Premier
    ministre, la ministre de l'éducation nationale »): the State signs, not the ministry."""
    if not mention.printed:
        return False
    left = mention.left[-140:]
    if MINISTER.match(mention.surface):  # the match holds the title: « ministre de l'éducation nationale »
        return STATE_CLAUSE_END.search(left) is not None
    return STATE_MINISTER.search(left) is not None


def deliberation_code(mention: Mention) -> bool:
    """An acronym inside a deliberation's code (« 2022 DAC 132 : », « délibération DAC 29 ») or a letter's
    reference (« REGIO DGA2.D.3D(2014)PEL/ga »)."""
    if not mention.printed or not mention.surface.isupper():
        return False
    in_code = CODE_BEFORE.search(mention.left[-20:]) is not None and CODE_AFTER.match(mention.right) is not None
    return in_code or REFERENCE_INITIALS.match(mention.right) is not None


def council_of_a_field(mention: Mention) -> bool:
    """« Conseil général » or « Département » followed by a field in lower case (« des ponts et chaussées », « du
    fonds social européen »): a State council or a division of another body, not the département's council."""
    return (
        normalise(mention.surface) in {"conseil general", "departement"}
        and GENERAL_COUNCIL_OF_A_FIELD.match(mention.right) is not None
    )


@lru_cache(maxsize=1)
def member_word_after() -> tuple[tuple[re.Pattern[str], str], ...]:
    """(a group's member word right after a mention, as written in the data or in capitals, the group id)."""
    return tuple(
        (re.compile(rf"^\s(?:{re.escape(word)}|{re.escape(word.upper())})(?![\w-])"), group)
        for word, group in candidate_words().members
    )


def acronym_in_member_name(mention: Mention) -> bool:
    """An acronym that begins a member's name of another group (« RATP Habitat », a social landlord): the member,
    not the body whose acronym it borrows."""
    return (
        mention.printed
        and mention.surface.isupper()
        and any(group != mention.entity_id and p.match(mention.right) for p, group in member_word_after())
    )


def street_name(mention: Mention) -> bool:
    """A street's name in an address (« Parvis de la Préfecture », « 12 rue de la Poste »)."""
    return mention.printed and STREET_BEFORE.search(mention.left[-40:]) is not None


WEB_ADDRESS_BEFORE = re.compile(r"(?:@|\bwww\.|\bhttps?://\S*)$", re.IGNORECASE)  # not « Enedis/Engie »
WEB_ADDRESS_AFTER = re.compile(r"^(?:@|\.(?:gouv|fr|org|com|net|eu|info|asso)\b)", re.IGNORECASE)


def web_address(mention: Mention) -> bool:
    """Part of an e-mail or web address (« france-services@anct.gouv.fr », « www.caf.fr »): a way to write to
    a body, not the text naming it as a party."""
    return mention.printed and bool(WEB_ADDRESS_BEFORE.search(mention.left) or WEB_ADDRESS_AFTER.match(mention.right))


# Each format rule and the entities it applies to (None: every entity).
FORMAT_RULES: tuple[tuple[frozenset[str] | None, Callable[[Mention], bool]], ...] = (
    (STAMPED_ENTITIES, state_format),
    (REGISTRARS, registration_place),
    (frozenset({"universite"}), university_gathering),
    (COLLECTIVITIES, territory_of_another),
    (frozenset({"universite"}), chancellor_title),
    (frozenset({"conseil_departemental"}), council_of_a_field),
    (None, deliberation_code),
    (None, street_name),
    (None, web_address),
    (None, acronym_in_member_name),
    (None, seat_address),
    (None, minister_for_the_state),
)


def excluded_by_format(mention: Mention) -> bool:
    """Whether the printed format says a mention is not the entity: one of `FORMAT_RULES` applies to it."""
    return any((entities is None or mention.entity_id in entities) and rule(mention) for entities, rule in FORMAT_RULES)


def merge_rare_senses(labels: list[str]) -> list[str]:
    """Senses with too few examples to calibrate are folded into `non` (still "not this entity")."""
    counts = {sense: labels.count(sense) for sense in set(labels)}
    return [label if label == ENTITY_SENSE or counts[label] >= MIN_CLASS_EXAMPLES else "non" for label in labels]


def fit_mention_model(mentions: list[Mention], labels: list[str]) -> Any:
    """A calibrated logistic regression over mention features (sigmoid calibration, 3 folds). The vocabulary is
    learned once, before the folds, so the saved model holds it once rather than once per fold (it keeps the file
    under 5 MB as the training data grows; a feature absent from a fold gets no weight in that fold)."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    labels = merge_rare_senses(labels)
    if len(set(labels)) < 2:
        return None
    calibrated = CalibratedClassifierCV(LogisticRegression(C=1.0, max_iter=3000), method="sigmoid", cv=3)
    model = make_pipeline(DictVectorizer(), calibrated)
    return model.fit(shared_features([mention_features(m) for m in mentions]), labels)


def shared_features(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows without the features only one mention has: a word seen once gets a weight from that mention alone,
    and they are most of the vocabulary (out of fold through fresh98, partners F1 0.9231 with them, 0.9227 without;
    the model file 5.18 MB with them through fresh101, over the 5 MB of a tracked file)."""
    counts = Counter(name for row in rows for name in row)
    return [{name: value for name, value in row.items() if counts[name] >= MIN_FEATURE_MENTIONS} for row in rows]
