"""How the demo contracts name an organisation: full name, acronym, both, former name, departmental
variant, dotted acronym, capitals, with the right French article and elision.

Uses the generator's own `entities.csv`, never the lexicon's alias lists, so the corpus stays a fair test.
"""

from __future__ import annotations

import random
import unicodedata

from pipeline.demo.calibration import Profile
from pipeline.demo.model import Mention, Segment
from pipeline.demo.territories import Territory

VOWELS = "aeiouyàâäéèêëîïôöùûüœæh"
ARTICLES = ("la ", "le ", "les ", "l'")


def fill(template: str, terr: Territory) -> str:
    """Replace {de_dep}, {dep}, {town}, {academie}, {universite}, {bassin} with the territory's values."""
    return template.format(
        de_dep=terr.de_dep,
        dep=terr.department,
        town=terr.town,
        academie=terr.academie.replace("Académie de ", "Académie de "),
        universite=terr.universite,
        bassin=terr.bassin,
    )


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def variants_for(profile: Profile) -> list[str]:
    """The naming variants this entity supports."""
    out = ["full", "caps"]
    if profile.acronym:
        out += ["acronym", "both"]
        if len(profile.acronym) >= 3 and profile.acronym.isupper() and profile.acronym.isalpha():
            out.append("dotted")
    if profile.departmental:
        out.append("departmental")
    if any(tag == "former" for tag, _ in profile.variants):
        out.append("former")
    if any(tag == "alt" for tag, _ in profile.variants):
        out.append("alt")
    return out


def _split_article(text: str, default: str) -> tuple[str, str]:
    """'la CAF de l'Aude' -> ('la', "CAF de l'Aude"); a text without article keeps the default."""
    for article in ARTICLES:
        if text.lower().startswith(article):
            return article.strip().rstrip("'") if article != "l'" else "l", text[len(article) :]
    return default, text


def surface(profile: Profile, variant: str, terr: Territory, rng: random.Random) -> tuple[str, str]:
    """(article, surface) for one variant; the article is 'la', 'le', 'l', 'les' or ''."""
    article = profile.article
    name = profile.name
    if variant == "acronym":
        return article, profile.acronym
    if variant == "both":
        return article, f"{name} ({profile.acronym})"
    if variant == "dotted":
        return article, ".".join(profile.acronym) + "."
    if variant == "caps":
        upper = name.upper()
        return article, strip_accents(upper) if rng.random() < 0.5 else upper
    if variant == "departmental" and profile.departmental:
        return _split_article(fill(rng.choice(profile.departmental), terr), article)
    if variant in ("former", "alt"):
        options = [s for tag, s in profile.variants if tag == variant]
        if options:
            chosen = fill(rng.choice(options), terr)
            art, text = _split_article(chosen, article)
            if variant == "alt" and text.isupper() and " " in text:
                return article, text
            return art, text
    return article, name


def _starts_with_vowel(text: str) -> bool:
    return bool(text) and text[0].lower() in VOWELS and not text.startswith(("Haute", "Hautes", "HAUTE"))


def determiner(article: str, text: str, prep: str = "") -> str:
    """French determiner (with preposition) in front of a name: 'de la ', "à l'", 'du ', 'aux ', ''."""
    if not article:
        return {"de": "de ", "à": "à ", "avec": "avec ", "par": "par "}.get(prep, "")
    if article in ("le", "la") and _starts_with_vowel(text):
        article = "l"
    if article == "l" and not _starts_with_vowel(text):
        article = "la"
    if article == "l":
        base = "l'"
    elif article == "les":
        base = "les "
    else:
        base = article + " "
    if prep == "de":
        return {"le ": "du ", "les ": "des "}.get(base, "de " + base)
    if prep == "à":
        return {"le ": "au ", "les ": "aux "}.get(base, "à " + base)
    if prep:
        return f"{prep} {base}"
    return base


def ref(
    profile: Profile,
    variant: str,
    terr: Territory,
    rng: random.Random,
    prep: str = "",
    theme: str | None = None,
    context: str = "text",
    capitalize: bool = False,
) -> list[Segment]:
    """Segments naming an entity with its determiner: e.g. ['de la ', Mention('CAF de l'Aude')]."""
    article, text = surface(profile, variant, terr, rng)
    det = determiner(article, text, prep)
    if capitalize:
        det = det[:1].upper() + det[1:]
    mention = Mention(
        entity_id=profile.entity_id,
        surface=text,
        theme=theme,
        context=context,
        variant=variant,
        elided=det.endswith("'"),
    )
    if capitalize and not det:
        mention.surface = text[:1].upper() + text[1:]
    return [det, mention] if det else [mention]


def org_ref(name: str, article: str, prep: str = "", theme: str | None = None, context: str = "text") -> list[Segment]:
    """Segments naming an organisation absent from the lexicons."""
    det = determiner(article, name, prep)
    mention = Mention(entity_id="", surface=name, theme=theme, context=context, variant="full", org=name)
    return [det, mention] if det else [mention]
