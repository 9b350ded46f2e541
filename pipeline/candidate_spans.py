"""Wide span proposals for organisations outside the lexicons, which the candidate scorer accepts or rejects.

Beside the patterns of `pipeline.candidates` (legal-form words, "Pour …" lines, defined acronyms), a name is
proposed when it is written as one: every maximal run of capitalised words (inner particles de/du/des/d'/l'/la/
et/pour/sur/en allowed: "Apprentis d'Auteuil", "Villes de France"), mixed-case acronyms ("DGFiP"), the name
after a cue word ("le bailleur Vilogia", "l'association X"), acronyms linked to their expansion both ways
("ACIF (Association …)", "Association … (ACIF)"), and the phrase an organisation's head word opens, in lower case
after it ("l'Observatoire départemental des cités éducatives", "Direction de la jeunesse, de l'éducation
populaire et de la vie associative"; head words in `candidate_words.csv`), the items of an enumeration of three
or more, lower-case words kept ("Le Foyer Rémois, Plurial Novilia, Reims habitat"), and short capitalised phrases in
quotation marks (« Nos Quartiers ont des Talents »). Most proposals are not organisations: `pipeline.candidate_score`
decides, with a calibrated model, which are shown to analysts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipeline.candidate_words import candidate_words
from pipeline.match import text_to_snippet

UPPER = "A-ZÀ-ÖØ-ÝŒ"
CAP_WORD = rf"[{UPPER}][\w’'&.-]*\w|[{UPPER}]"
PARTICLES = r"de|du|des|la|le|les|et|pour|sur|en|aux|au|à"
CAP_RUN = re.compile(
    rf"(?:(?<=\b[lLdD]['’])|(?<![\w'’-]))(?:{CAP_WORD})(?:[ \n](?:(?:{PARTICLES}) ){{0,3}}(?:[dl]['’])?(?:{CAP_WORD}))*"
)
ADJECTIVE_RUN = re.compile(  # a capitalised word, one word in lower case, then a capitalised run
    rf"(?<![\w'’-])(?:{CAP_WORD}) [a-zà-ÿ]{{4,}}(?:[ \n](?:(?:{PARTICLES}) ){{0,2}}(?:[dl]['’])?(?:{CAP_WORD}))+"
)
MONTHS = "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre"
DEPARTMENT_NUMBER = re.compile(  # « la Ligue 95 », « CIDFF 04 », « IDEE 93 »: not « 93 000 », « 12 mars », « 95 % »
    rf"[ \u00a0](?P<number>0[1-9]|[1-8]\d|9[0-5]|2[AB]|97[1-6])(?![\w'’%-]|[.,]\d|[ \u00a0](?:\d|%|€|ans?\b|{MONTHS}))"
)
LEADING_WORDS = re.compile(r"^(?:[\w’]+[ \n]|[dlDL]['’])")
CUE_WORDS = (
    "association",
    "bailleur",
    "bailleur social",
    "fondation",
    "réseau",
    "entreprise",
    "société",
    "organisme",
    "structure",
    "fédération",
    "coopérative",
    "groupe",
    "club",
    "collectif",
    "cabinet",
    "opérateur",
    "compagnie",
    "régie",
    "mutuelle",
    "union",
    "agence",
    "centre social",
    "maison",
)
CUE_ARTICLE = r"(?:[Ll]['’]|[Ll]es? |[Ll]a |[Uu]ne? |[Aa]u |[Dd]u |[Dd]e l['’]|[Dd]e la )"  # « l'association »
CUE_NAME = re.compile(
    rf"\b(?P<cue>{CUE_ARTICLE}"
    rf"(?:{'|'.join(CUE_WORDS)})s?) (?P<name>{CAP_RUN.pattern})"
)
COINED_CUES = ("association", "collectif", "compagnie", "club", "fédération", "coopérative", "régie")
COINED_NAME = re.compile(  # « l'association Vivre la ville, cet outil »: a name in words, ended by punctuation
    rf"\b(?P<cue>{CUE_ARTICLE}"
    rf"(?:{'|'.join(COINED_CUES)})s?) (?P<name>(?:{CAP_WORD})(?: (?:[a-zà-ÿ][\w’'-]*|{CAP_WORD})){{1,4}})"
    r"(?=\s*(?:[,.;:()»]|\n|\bqui\b|\bdont\b))"
)
NAME_THEN_ACRONYM = re.compile(r"\((?P<acr>[A-Z][A-Za-z&]{1,9})\)")
HEAD_WORDS = candidate_words().heads  # words that open an organisation's name written in lower case after
HEADS = "|".join([*HEAD_WORDS, *(word.upper() for word in HEAD_WORDS)])  # "INSPECTION GENERALE DE …" too
LOWER_HEADS = "|".join(word.lower() for word in HEAD_WORDS)
ACRONYM_THEN_NAME = re.compile(  # « la Dihal (délégation interministérielle à l'hébergement …) »: lower case too
    rf"(?<![\w-])(?P<acr>[A-Z][A-Za-z&]{{1,9}})[ \t]*\((?P<name>(?:[{UPPER}]|(?:{LOWER_HEADS})s?\b)[^()\n]{{3,140}})\)"
)
HEAD_WORD_RUN = r"[\w’'-]+"
ELIDED_PRONOUNS = {"s": "se", "n": "ne", "c": "ce", "j": "je", "m": "me", "t": "te"}  # « s'engage », « n'a »
# A line break ends a phrase before a capital (a heading, a list's next item) unless a particle ends the line: a name
# wrapped by the layout (« le ministère de la⏎Ville », « direction départementale de l'⏎Emploi ») goes on.
WRAP_AFTER_PARTICLE = (
    r"(?:(?<= de)|(?<= du)|(?<= des)|(?<= la)|(?<= le)|(?<= les)|(?<= aux)|(?<= au)|(?<= à)|(?<=\b[lLdD]['’]))\n"
)
HEAD_SEPARATOR = rf"(?: |\n(?![{UPPER}])|{WRAP_AFTER_PARTICLE})"
NOT_A_HEAD = rf"(?!(?:la |l['’])?(?:{HEADS}|{LOWER_HEADS})\b)"  # « , du ministère … » opens another body
HEAD_PHRASE = re.compile(
    rf"(?:(?<=\b[lLdD]['’])|(?<![\w'’-]))(?:{HEADS})"
    rf"(?:(?:,(?=[ \n](?i:d[eu] |d['’]|des ){NOT_A_HEAD}))?"
    rf"{HEAD_SEPARATOR}(?:{HEAD_WORD_RUN})){{1,14}}"
)
SCOPES = "|".join(candidate_words().scopes)
LOWER_HEAD_PHRASE = re.compile(  # "la direction générale de …", "l'association des maires de France"
    rf"(?:\b[lLdD]['’]|\b(?:[Ll]a|[Ll]es?|[Dd]u|[Dd]es|[Aa]ux?|[Uu]ne?|[Ss]on|[Ss]a|[Ll]eurs?) )"
    rf"(?P<head>(?:{LOWER_HEADS})s?(?: (?P<scope>(?:{SCOPES})s?)\b|(?= (?:des|du|de la|de l['’])[ \n\w])))"
    rf"(?:(?:,(?=[ \n](?:d[eu] |d['’]|des ){NOT_A_HEAD}))?"
    rf"{HEAD_SEPARATOR}(?:{HEAD_WORD_RUN})){{1,14}}"
)
SCHOOL_KINDS = "maternelle|élémentaire|primaire|professionnel|polyvalent|agricole|général et technologique"
NAMING_HEADS = "collège|lycée|école|université|musée|théâtre|médiathèque|bibliothèque|conservatoire"  # not associations
NAMED_HEAD = re.compile(  # « le collège Paul-Ramadier », « l'école maternelle Edouard Herriot »: the head is the name's
    rf"(?:(?<=\b[lLdD]['’])|(?<![\w'’-]))(?P<head>(?:{NAMING_HEADS})s?)(?: (?:{SCHOOL_KINDS}))?"
    rf" (?P<name>{CAP_RUN.pattern})"
)
HEAD_START = re.compile(rf"^(?:[lLdD]['’])?(?:{HEADS}|{LOWER_HEADS})s?$")
ARTICLES = frozenset({"la", "le", "les", "l", "une", "un"})
MAX_LOWER_CONTENT_RUN = 2  # "… de la cohésion sociale soutient": a third word in a row is not the name
HEAD_PHRASE_PARTICLES = frozenset(
    {"de", "du", "des", "d", "la", "le", "les", "l", "et", "pour", "en", "aux", "au", "à"}
)
CONJUNCTIONS = (["qu"], ["lorsqu"], ["puisqu"], ["jusqu"])  # "… de France pour qu'au minimum"
VERB_ENDING = re.compile(r"\w{3}(?:era|ira|ra|ront|rait|raient|ait|aient)$")  # "permettra", "préconisait"
COMPLEMENT_OPENERS = frozenset(  # « le rapport de la Cour des comptes relatif à la politique de la ville »
    {"relatif", "relative", "relatifs", "relatives", "concernant", "portant", "visant"}
)
INFINITIVE = re.compile(r"^(?:[a-zà-ÿ]{2,}(?:er|ir|re))$")  # "pour accompagner", "pour soutenir"
MIXED_ACRONYM = re.compile(r"(?<![\w'’-])(?=[A-Z][a-z]*[A-Z])[A-Z][A-Za-z]{2,9}(?![\w'’-])")
NAME_WORD = re.compile(r"[A-Za-zÀ-ÿ][\w-]*")
PART_BREAK = re.compile(r" et | à |\n")  # "Omega à Angoulême": the name before its town too
TITLE_OF = re.compile(  # "Directeur de France-Médiation": the body a title is of
    r"(?:Directeur|Directrice|Président|Présidente|Préfet|Préfète|Maire|Délégué|Déléguée|Secrétaire|Chef|"
    r"Responsable|Coordinateur|Coordinatrice)(?: [a-zé]+)? (?:de la |de l['’]|du |des |de |d['’])"
)
TRAILING_WORD = re.compile(r"[ \n]([\w’]+)$")
MAX_DEFINITION_WORDS = 15
ITEM_BREAK = re.compile(r"\s*(?:[,;]|\s[-–]\s|\bet\b|\bou\b|°\)|\s[-–•]\s*$)\s*", re.M)  # between list items
CLAUSE_BREAK = re.compile(r"[.:!?()«»\[\]\u201c\u201d\"](?=\s|$)|[()«»\[\]]|\n[ \t]*\n|\n[ \t]*(?=[-–•·*▪●◦►])")
ITEM_ARTICLE = re.compile(r"^(?:(?:le|la|les|Le|La|Les)\s+|[lL]['’])")
MAX_ITEM_WORDS = 6
MAX_ITEM_CHARS = 60
MIN_LIST_STRETCHES = 3  # an enumeration: three stretches or more between list separators …
MIN_LIST_NAMES = 2  # … of which two or more are written as names (« entre la ville de X, la SPA Y et l'Association Z »)
QUOTED_NAME = re.compile(
    rf"[«\u201c\"][ \u00a0]*(?P<name>[{UPPER}0-9][^«»\u201c\u201d\"\n]{{2,70}}?)[ \u00a0]*[»\u201d\"]"
)
MAX_QUOTED_WORDS = 8


def strip_leading(name: str, start: int, stop_words: frozenset[str]) -> tuple[str, int]:
    """A capitalised run without the function words a sentence starts with ("Dans Lille" gives "Lille",
    "L'association X" gives "X"): leading words that are French stop words, or that the run left in lower
    case after an elided article, are dropped."""
    while True:
        found = LEADING_WORDS.match(name)
        word = found.group(0).strip(" \t'’") if found else ""
        if found is None or (word.lower() not in stop_words and word.lower() not in ("l", "d") and word[:1].isupper()):
            return name, start
        if found.end() >= len(name):
            return "", start
        name, start = name[found.end() :], start + found.end()


def with_department_number(text: str, found: tuple[int, int, str]) -> tuple[int, int, str]:
    """A name with the département number that follows it and belongs to it (« CADR 67 », « Ciné 32 »)."""
    start, end, name = found
    suffix = DEPARTMENT_NUMBER.match(text, end)
    return found if suffix is None else (start, suffix.end(), name + " " + suffix.group("number"))


def capitalised_runs(text: str, stop_words: frozenset[str]) -> Iterator[tuple[int, int, str]]:
    """(start, end, name) of every maximal run of capitalised words of a page (a name may wrap onto the next
    line: "Fondation Garonne⏎Solidarités"), function words at its ends dropped, with the département number that
    follows it ("IDEE 93"); a run joined by "et" or wrapped is also proposed in parts ("Villes de France et
    Vilogia": each part too); and a capitalised word with one word in lower case before a capitalised run
    ("Union sportive Onet-le-Château Quartiers")."""
    for match in CAP_RUN.finditer(text):
        whole = trimmed(text, match.start(), match.end(), stop_words)
        if whole is None:
            continue
        whole = with_department_number(text, whole)
        yield whole
        start, end, _ = whole
        if (title := TITLE_OF.match(text, start)) is not None and (rest := trimmed(text, title.end(), end, stop_words)):
            yield rest
        cuts = [start]
        for found in PART_BREAK.finditer(text, start, end):
            cuts += [found.start(), found.end()]
        if len(cuts) > 1:
            for left, right in zip(cuts[::2], [*cuts[1::2], end], strict=True):
                part = trimmed(text, left, right, stop_words)
                if part is not None:
                    yield part
    for match in ADJECTIVE_RUN.finditer(text):  # "Union sportive Onet-le-Château", "Boulangerie coopérative du Canal"
        named = trimmed(text, match.start(), match.end(), stop_words)
        if named is not None and re.fullmatch(r"(?:[lLdD]['’])?", text[match.start() : named[0]]):
            yield named  # its first word kept: "Le bailleur X" is the run "X" already


def trimmed(text: str, start: int, end: int, stop_words: frozenset[str]) -> tuple[int, int, str] | None:
    """The name written between `start` and `end` without function words at its start (`strip_leading`) or
    end ("Fondation X⏎Les" gives "Fondation X") or a lone letter at its end ("ÉTAT M" before "M. X"), on one
    line; None when nothing is left."""
    name, start = strip_leading(text[start:end], start, stop_words)
    while (found := TRAILING_WORD.search(name)) is not None and (
        found.group(1).lower() in stop_words
        or len(found.group(1)) == 1  # "Aude M" before "M. X": a lone letter
        or found.group(1).lower().startswith("représenté")  # "Mistral Habitat Représenté par …"
    ):
        name = name[: found.start()]
    if not name or name.lower() in stop_words:
        return None
    return start, start + len(name), name.replace("\n", " ")


def cue_names(text: str) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, name, cue) of names written after a cue word ("le bailleur Vilogia"), and names in words after
    an association's cue word up to punctuation ("l'association Vivre la ville, cet outil")."""
    seen = set()
    for pattern in (CUE_NAME, COINED_NAME):
        for match in pattern.finditer(text):
            cue = match.group("cue").split()[-1].split("'")[-1].split("’")[-1].lower()
            if match.span("name") not in seen:
                seen.add(match.span("name"))
                yield match.start("name"), match.end("name"), match.group("name"), cue.rstrip("s") or cue


def defined_names(text: str, fits: object) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, name, acronym) of names written with their acronym, either way: the shortest run of words
    before "(ACR)" whose initials spell the acronym, within no other bracket, or the expansion in brackets after
    the acronym."""
    assert callable(fits)
    for match in NAME_THEN_ACRONYM.finditer(text):
        acronym = match.group("acr")
        words = list(NAME_WORD.finditer(text, max(0, match.start() - 200), match.start()))
        if not words or match.start() - words[-1].end() > 2:
            continue
        for size in range(2, min(len(words), MAX_DEFINITION_WORDS) + 1):
            first = words[-size]
            name = text[first.start() : words[-1].end()]
            if "(" in name or ")" in name:
                break  # « Aide Intérim (ETTI), Alturas (ACI) »: the name before an acronym holds no other bracket
            if first.group(0)[0].upper() == acronym[0] and fits(name, acronym):
                if "\n\n" not in name:
                    yield first.start(), words[-1].end(), name, acronym
                break
    for match in ACRONYM_THEN_NAME.finditer(text):
        name, acronym = match.group("name").strip(), match.group("acr")
        if len(name.split()) >= 2 and fits(name, acronym):
            yield match.start("name"), match.start("name") + len(name), name, acronym


def head_phrases(text: str, stop_words: frozenset[str]) -> Iterator[tuple[int, int, str]]:
    """(start, end, name) of the phrases an organisation's head word opens ("Observatoire départemental des cités
    éducatives a été créé" gives "Observatoire départemental des cités éducatives"): the words after it, a comma
    allowed before "de"/"du"/"des", up to the first French stop word that is not a particle of names (a verb,
    a pronoun) or punctuation, or an "et" that opens another organisation ("Fondation X et la Fondation Y");
    particles at its end and a lone letter ("… L'ADMINISTRATION N°") dropped. Two words at least; the capitalised
    runs propose the rest. A head word in lower case after an article opens a phrase when a scope adjective
    follows it and more words ("la direction générale de l'enseignement scolaire") or when the phrase holds a proper
    name ("l'association des départements de France"); such a phrase stops at a third lower-case word in a row."""
    for lower, pattern in ((False, HEAD_PHRASE), (True, LOWER_HEAD_PHRASE)):
        position = 0
        while (match := pattern.search(text, position)) is not None:
            start = match.start("head") if lower else match.start()
            named = walk_head_phrase(text, start, match.end(), stop_words, lower)
            position = named[1] if named is not None else match.start() + 1  # "… et la Fondation Y": Y's too
            if named is None or (lower and not lower_phrase_names(named[2], bool(match.group("scope")))):
                continue
            yield named


def named_heads(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, name) of a school's or a cultural venue's head word in lower case followed by a proper name, the
    head kept in the name (« le collège Jean-Jaurès », « l'école maternelle Edouard Herriot », « le musée Fabre »);
    an association is named without its head word (« l'association Espoir » is « Espoir »)."""
    for match in NAMED_HEAD.finditer(text):
        start, end = match.start("head"), match.end("name")
        joined = re.search(r"\s(?:et|ou)\s", text[match.start("name") : end])  # « … Espoir et le Lycée Raoul »
        if joined is not None:
            end = match.start("name") + joined.start()
        yield start, end, " ".join(text[start:end].split())


PUBLIC_HEADS = frozenset(word.lower() for word in candidate_words().public_heads)


def lower_phrase_names(name: str, scoped: bool) -> bool:
    """Whether a phrase opened by a head word in lower case names one organisation: words after its scope
    adjective ("la direction générale" alone is any directorate), a proper name in it, or a public body's head
    word with its complement ("le ministère de l'économie et des finances", "la direction du budget")."""
    words = name.split()
    public = words[0].rstrip("s") in PUBLIC_HEADS and len(words) >= 3
    return (scoped and len(words) >= 3) or name != name.lower() or public


def walk_head_phrase(
    text: str, start: int, stop: int, stop_words: frozenset[str], lower: bool
) -> tuple[int, int, str] | None:
    """The head phrase written from `start` (its head word) within `stop`, by the rules of `head_phrases`."""
    words = list(re.finditer(HEAD_WORD_RUN, text[start:stop]))
    end, proper, content_run = words[0].end(), False, 0
    for index, (word, following) in enumerate(zip(words[1:], [*words[2:], None], strict=True), start=1):
        folded = word.group(0).lower().replace("’", "'")
        if folded == "et" and opens_organisation([w.group(0) for w in words[index + 1 : index + 4]]):
            break
        if folded in ("-", "–"):  # "Société dauphinoise pour l'habitat - L'OPH …": a list, one name per item
            break
        if folded in ("du", "au") and following is not None and of_a_ministry(words[0].group(0), following.group(0)):
            break  # "direction générale de l'enseignement scolaire du ministère de …": the ministry it belongs to
        previous = words[index - 1].group(0)
        if not head_phrase_goes_on(word.group(0), following and following.group(0), proper, stop_words) and not (
            proper and qualifies(previous, word.group(0), stop_words)
        ):
            break
        if lower:
            content_run = 0 if folded.rstrip("'").split("'")[0] in HEAD_PHRASE_PARTICLES else content_run + 1
            if content_run > MAX_LOWER_CONTENT_RUN and index > 2:
                break
        proper = proper or (word.group(0)[:1].isupper() and folded not in HEAD_PHRASE_PARTICLES)
        end = word.end()
    name = text[start : start + end]
    while (found := TRAILING_WORD.search(name)) is not None and (
        found.group(1).lower().replace("’", "'").rstrip("'") in HEAD_PHRASE_PARTICLES
        or found.group(1).lower().replace("’", "'").endswith("'")
        or len(found.group(1)) == 1
    ):
        name = name[: found.start()]
    name = name.rstrip(",")
    if len(name.split()) >= 2 and "\n\n" not in name:
        return start, start + len(name), re.sub(r"(?<=['’])\n", "", name).replace("\n", " ")
    return None


COORDINATED = re.compile(rf" et (?:(?:la|le|les) |[lL]['’])?(?=(?:{HEADS})\b)|\s[-–]\s")  # and list dashes


def coordinated_parts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The stretches of `text[start:end]` split where "et" opens another organisation ("Fondation Nexity et la
    Fondation Fier …" gives both foundations) or a dash separates the items of a list ("Société X - L'OPH Y")."""
    parts, left = [], start
    for found in COORDINATED.finditer(text, start, end):
        parts.append((left, found.start()))
        left = found.end()
    return [*parts, (left, end)]


def opens_organisation(words: list[str]) -> bool:
    """Whether the words after an "et" open another organisation: a head word, after an article or not
    ("et la Fondation Fier de nos quartiers", "et l'inspection générale …", "et de la direction générale …")."""
    if words and words[0].lower() in ("de", "du", "des"):
        words = words[1:]
    if words and words[0].lower() in ARTICLES:
        words = words[1:]
    return bool(words) and HEAD_START.match(words[0]) is not None


MINISTRY = re.compile(r"^[Mm]inist[èe]res?$")
ADJECTIVE_ENDING = re.compile(r"(?:ale?|aux|elle|el|ique|aire|if|ive|ienne|ien|aise|ais|iste)s?$")


def of_a_ministry(head: str, following: str) -> bool:
    """Whether the word after « du » is the ministry a directorate or a service belongs to (the phrase's own head
    not a ministry)."""
    return MINISTRY.match(following) is not None and MINISTRY.match(head) is None


def qualifies(previous: str, word: str, stop_words: frozenset[str]) -> bool:
    """Whether a lower-case word is an adjective of the capitalised word before it in an official name
    (« ministère des Affaires sociales », « de la Formation professionnelle et du Dialogue social »), not a verb
    (« Association Trait d'Union Foix soutient »)."""
    folded = word.lower()
    return (
        previous[:1].isupper()
        and word[:1].islower()
        and folded not in stop_words
        and "'" not in folded
        and "’" not in folded
        and ADJECTIVE_ENDING.search(folded) is not None
        and VERB_ENDING.search(folded) is None
    )


def head_phrase_goes_on(word: str, following: str | None, proper: bool, stop_words: frozenset[str]) -> bool:
    """Whether a head phrase takes in `word`: not a French stop word other than a particle of names, no digit,
    no verb ending of the future, conditional or imperfect ("permettra", "préconisait"), no word that opens a
    complement (« relatif à », « portant sur »), no elided conjunction ("qu'au"), no word in lower case after a
    proper name ("Association Trait d'Union Foix soutient"), no "pour" before a verb ("pour accompagner")."""
    folded = word.lower().replace("’", "'")
    parts = [part for part in folded.split("'") if part]
    if not parts:
        return False  # a lone apostrophe (« Dépôts⏎'⏎⏎engage », « s'engage » split by the extraction)
    if any(part in stop_words and part not in HEAD_PHRASE_PARTICLES for part in parts) or parts[:1] in CONJUNCTIONS:
        return False
    if "'" in folded and ELIDED_PRONOUNS.get(parts[0], "") in stop_words:  # "Mission locale s'engage à …"
        return False
    if any(c.isdigit() for c in folded) or VERB_ENDING.search(folded) or folded in COMPLEMENT_OPENERS:
        return False
    if proper and word[:1].islower() and folded not in HEAD_PHRASE_PARTICLES and "'" not in folded:
        return False
    return not (folded == "pour" and following is not None and INFINITIVE.search(following.lower()) is not None)


def list_items(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, name) of the items of enumerations: in a clause cut into three stretches or more by commas,
    "et", "ou" or dashes, two of them names at least, each item of six words at most that starts with a capital
    or a digit after its article, lower-case words and digits kept ("Reims habitat", "Prévention péi",
    "7S4 multisports", "Habitat du pays de Romans"): local names the capitalised runs cut short."""
    clause_start = 0
    for clause_end in [*(m.start() for m in CLAUSE_BREAK.finditer(text)), len(text)]:
        items: list[tuple[int, int]] = []
        left = clause_start
        for found in ITEM_BREAK.finditer(text, clause_start, clause_end):
            items.append((left, found.start()))
            left = found.end()
        items.append((left, clause_end))
        clause_start = clause_end + 1
        named = [item for start, end in items if (item := list_item(text, start, end)) is not None]
        if len(items) >= MIN_LIST_STRETCHES and len(named) >= MIN_LIST_NAMES:
            yield from named


def quoted_names(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, name) of short capitalised phrases in quotation marks (« Nos Quartiers ont des Talents »,
    « Habitat 62/59 Picardie »): a name as a name is quoted, or a project's or a scheme's, for the model to tell."""
    for match in QUOTED_NAME.finditer(text):
        name = match.group("name")
        if len(name.split()) <= MAX_QUOTED_WORDS:
            yield match.start("name"), match.end("name"), name


def clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """(start, end) of the clause a name stands in, between the breaks `list_items` reads enumerations within
    (at most 400 characters each side)."""
    window = max(0, start - 400)
    left = max((m.end() for m in CLAUSE_BREAK.finditer(text, window, start)), default=window)
    found = CLAUSE_BREAK.search(text, end, min(len(text), end + 400))
    return left, found.start() if found is not None else min(len(text), end + 400)


def clause_items(text: str, start: int, end: int) -> int:
    """How many stretches list separators cut a clause into (1 for running prose)."""
    return 1 + sum(1 for _ in ITEM_BREAK.finditer(text, start, end))


def list_item(text: str, start: int, end: int) -> tuple[int, int, str] | None:
    """An enumeration's item written as a name, without its article, or None."""
    raw = text[start:end]
    stripped = raw.strip()
    start += raw.find(stripped[:1]) if stripped else 0
    article = ITEM_ARTICLE.match(stripped)
    if article is not None and not (stripped[0].isupper() and stripped[article.end() :][:1].islower()):
        stripped, start = stripped[article.end() :], start + article.end()  # "Les alizées" keeps its article
    words = stripped.split()
    if not words or len(words) > MAX_ITEM_WORDS or len(stripped) > MAX_ITEM_CHARS:
        return None
    if not (stripped[0].isupper() or stripped[0].isdigit()) or not any(c.isalpha() for c in stripped):
        return None
    return start, start + len(stripped), " ".join(words)


def mixed_acronyms(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, acronym) of acronyms in mixed case with two capitals or more ("DGFiP", "CCMSA", "UnaPei")."""
    for match in MIXED_ACRONYM.finditer(text):
        yield match.start(), match.end(), match.group(0)


def snippet_of(text: str, start: int, end: int) -> str:
    return text_to_snippet(text, start, end)
