"""Check new excerpts before they join the set: the labellers' own check, run on their folders.

Usage: .venv/bin/python benchmarks/realprose/check_labels.py --split fresh123 --prefix rts FOLDER [FOLDER …]

Every YAML file of the folders must load as an excerpt (`corpus.load_document`), carry the split and the file prefix
given, label lexicon ids of the right kind, print every name it lists outside the lexicons and every sense surface,
mark a signatory only with a signature block or a label note citing rule 5, keep its text under `MAX_TEXT` characters,
and quote a source that no excerpt of the set and no other file of the folders quotes (helpers working at once on
one theme once quoted the same slides twice, rtr05 and rtr13) and that the independent check does not keep (rts01,
2026-12-05; checked when `reserved-sources.txt` is beside the checkout). Pass `--relabel` for a second labelling of
texts of the set (`second/`): then the source and text must be the set's own. Prints one line per problem, or « OK ».
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.lexicon import default_lexicon_dir, load_lexicon
from realprose.corpus import (
    DOCUMENTS_DIR,
    RealDocument,
    RealProseError,
    load_document,
    load_documents,
    reserved_source_keys,
    source_key,
)

MAX_TEXT = 4000
SENSES = ("source", "territoire", "autre")


def check_folders(folders: list[Path], split: str, prefix: str, relabel: bool = False) -> list[str]:
    """The problems of the excerpts in `folders`, one line each (empty when every file is fine)."""
    kinds = {entity.entity_id: entity.kind for entity in load_lexicon(default_lexicon_dir()).entities}
    known = {doc.doc_id: doc for doc in load_documents(DOCUMENTS_DIR)}
    used = {source_key(doc.source) for doc in known.values()}
    reserved = reserved_source_keys() or set()
    problems: list[str] = []
    seen: dict[str, str] = {}
    for path in sorted(p for folder in folders for p in Path(folder).glob("*.yaml")):
        try:
            doc = load_document(path)
        except (RealProseError, KeyError, TypeError, AttributeError) as error:
            problems.append(f"{path.name}: {error}")
            continue
        problems += [f"{path.name}: {problem}" for problem in document_problems(doc, kinds, split, prefix)]
        key = source_key(doc.source)
        if relabel:
            first = known.get(doc.doc_id)
            if first is None or first.text != doc.text or first.source != doc.source:
                problems.append(f"{path.name}: not the set's excerpt of that name, word for word")
        elif key in used:
            problems.append(f"{path.name}: source already in the set: {doc.source}")
        if key in reserved:
            problems.append(f"{path.name}: source kept for the independent check (reserved-sources.txt): drop it")
        if key in seen:
            problems.append(f"{path.name}: same source as {seen[key]}")
        seen.setdefault(key, path.name)
    return problems


def document_problems(doc: RealDocument, kinds: dict[str, str], split: str, prefix: str) -> list[str]:
    """What is wrong with one excerpt's fields and labels."""
    problems = []
    if not doc.doc_id.startswith(prefix) or doc.split != split:
        problems.append(f"name must start with {prefix} and split be {split} (is {doc.split})")
    for partner in doc.partners:
        if kinds.get(partner["entity_id"]) != "partenaire":
            problems.append(f"partner {partner['entity_id']!r} is not a lexicon partner")
    signed = "@signatures" in doc.text or any("rule 5" in note for note in doc.label_notes)
    if any(p["signataire"] for p in doc.partners) and not signed:
        problems.append("a signatory without a signature block or a label note citing rule 5")
    problems += [
        f"dispositif {d!r} is not a lexicon dispositif" for d in doc.dispositifs if kinds.get(d) != "dispositif"
    ]
    text = doc.text.lower()
    problems += [f"not printed: {o['name']!r}" for o in doc.out_of_lexicon if o["name"].lower() not in text]
    for note in doc.senses:
        if kinds.get(note.get("entity", "")) is None or note.get("sense") not in SENSES:
            problems.append(f"sense note needs a lexicon entity and a sense among {SENSES}: {note}")
        elif str(note.get("surface", "")).lower() not in text:
            problems.append(f"sense surface not printed: {note.get('surface')!r}")
    if len(doc.text) > MAX_TEXT:
        problems.append(f"text of {len(doc.text)} characters, over {MAX_TEXT}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--split", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--relabel", action="store_true", help="second labels of excerpts already in the set")
    args = parser.parse_args()
    problems = check_folders(args.folders, args.split, args.prefix, args.relabel)
    print("\n".join(problems) if problems else "OK")
    raise SystemExit(1 if problems else 0)


if __name__ == "__main__":
    main()
