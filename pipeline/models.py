"""The trained models of the classify stage, as data files in `models/` (skops format, never pickle).

Six scikit-learn pipelines, each optional (the stage falls back to rules without them):
- `theme`: TF-IDF + logistic regression, paragraph/section text -> theme id;
- `sense`: TF-IDF + logistic regression, context of an ambiguous acronym -> sense id;
- `role`: dict features + logistic regression, partner mention -> probability of being a signature;
- `score`: dict features + logistic regression, detection -> probability that it is right (calibrated);
- `mention`: dict features + calibrated logistic regression, candidate mention -> sense (`pipeline.sense`);
- `candidate`: dict features + calibrated gradient-boosted trees, name proposed outside the lexicons ->
  probability that it is an organisation, with its threshold (`pipeline.candidate_score`).
`models/models.json` holds the model card data (training data, date, metrics, lexicon version);
`models/MODEL_CARD.md` is its human-readable form. A model's version is the hash of its file.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.errors import CdvError

MODEL_NAMES = ("theme", "sense", "role", "score", "mention", "candidate")
CARD_FILE = "models.json"
CARD_MARKDOWN = "MODEL_CARD.md"
TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.")


class ModelError(CdvError):
    """A model file cannot be loaded safely (message in French)."""


def model_path(models_dir: Path, name: str) -> Path:
    return Path(models_dir) / f"{name}.skops"


@dataclass
class Models:
    """The loaded models (any may be None) and their versions."""

    theme: Any = None
    sense: Any = None
    role: Any = None
    score: Any = None
    mention: Any = None
    candidate: Any = None
    versions: dict[str, str] = field(default_factory=dict)

    def predict_themes(self, texts: list[str]) -> list[tuple[str, float]]:
        """Best theme and its probability for each text (folded inside)."""
        from pipeline.match import fold_text

        if self.theme is None or not texts:
            return [("", 0.0) for _ in texts]
        probabilities = self.theme.predict_proba([fold_text(text) for text in texts])
        classes = list(self.theme.classes_)
        import numpy as np

        best = np.argmax(probabilities, axis=1)
        return [(str(classes[i]), float(row[i])) for i, row in zip(best, probabilities, strict=True)]

    def predict_senses(self, texts: list[str], candidates: list[tuple[str, ...]]) -> list[dict[str, float]]:
        """Probability of each candidate sense, renormalised over the candidates the sense model knows."""
        if self.sense is None or not texts:
            return [{} for _ in texts]
        probabilities = self.sense.predict_proba(texts)
        index = {str(label): i for i, label in enumerate(self.sense.classes_)}
        out = []
        for row, senses in zip(probabilities, candidates, strict=True):
            known = {sense: float(row[index[sense]]) for sense in senses if sense in index}
            total = sum(known.values())
            out.append({sense: value / total for sense, value in known.items()} if total > 0 else {})
        return out

    def predict_binary(self, name: str, rows: list[dict[str, Any]]) -> list[float] | None:
        """Probability of the positive class of the `role` or `score` model, or None without it."""
        model = getattr(self, name)
        if model is None:
            return None
        if not rows:
            return []
        column = list(model.classes_).index(1)
        return [float(p) for p in model.predict_proba(rows)[:, column]]


def file_version(path: Path) -> str:
    """A short hash of a model file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def model_versions(models_dir: Path) -> dict[str, str]:
    """Version (hash of the file) of each model present in a folder, for `run.json`."""
    return {name: file_version(path) for name in MODEL_NAMES if (path := model_path(models_dir, name)).exists()}


def load_model(path: Path) -> Any:
    """Load one skops file, trusting only scikit-learn, NumPy and SciPy types."""
    import skops.io as sio

    try:
        untrusted = sio.get_untrusted_types(file=path)
        refused = [name for name in untrusted if not name.startswith(TRUSTED_PREFIXES)]
        if refused:
            raise ModelError(f"{path} : types non autorisés dans le modèle ({', '.join(refused[:3])}).")
        model = sio.load(path, trusted=untrusted)
    except ModelError:
        raise
    except Exception as error:  # skops raises various errors on damaged files
        raise ModelError(f"{path} : modèle illisible ({error}).") from error
    for vectorizer in dict_vectorizers(model):
        if hasattr(vectorizer, "vocabulary_") and not hasattr(vectorizer, "feature_names_"):
            vectorizer.feature_names_ = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
    return model


def dict_vectorizers(model: Any) -> list[Any]:
    """The fitted `DictVectorizer`s inside a model: in pipelines, calibrated classifiers and their folds."""
    from sklearn.feature_extraction import DictVectorizer

    found: list[Any] = []
    stack, seen = [model], set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, DictVectorizer):
            found.append(item)
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif type(item).__module__.startswith("sklearn.") and hasattr(item, "__dict__"):
            stack.extend(vars(item).values())
    return found


@lru_cache(maxsize=8)
def _load_cached(models_dir: str, versions: tuple[tuple[str, str], ...]) -> Models:
    models = Models(versions=dict(versions))
    for name, _ in versions:
        setattr(models, name, load_model(model_path(Path(models_dir), name)))
    return models


def load_models(models_dir: Path | None) -> Models | None:
    """The models of a folder (loaded once per process and version), or None when there are none."""
    if models_dir is None or not Path(models_dir).is_dir():
        return None
    versions = model_versions(Path(models_dir))
    if not versions:
        return None
    return _load_cached(str(Path(models_dir).resolve()), tuple(sorted(versions.items())))


def save_model(model: Any, models_dir: Path, name: str) -> str:
    """Write one model as `<name>.skops`; return its version."""
    import skops.io as sio

    path = model_path(models_dir, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    # a DictVectorizer's feature names are its vocabulary's keys in index order: `load_model` derives them again,
    # which halves the file (the vocabulary of a mention model is ~80,000 strings)
    vectorizers = [v for v in dict_vectorizers(model) if hasattr(v, "feature_names_")]
    names = [v.__dict__.pop("feature_names_") for v in vectorizers]
    try:
        sio.dump(model, path, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    finally:
        for vectorizer, feature_names in zip(vectorizers, names, strict=True):
            vectorizer.feature_names_ = feature_names
    return file_version(path)


def default_models_dir() -> Path:
    """The `models/` folder of the project checkout."""
    return Path(__file__).resolve().parent.parent / "models"


def write_card(models_dir: Path, card: dict[str, Any]) -> None:
    """Write the model card: `models.json` (data) and `MODEL_CARD.md` (for people)."""
    models_dir = Path(models_dir)
    card = {**card, "versions": model_versions(models_dir)}
    (models_dir / CARD_FILE).write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (models_dir / CARD_MARKDOWN).write_text(card_to_markdown(card), encoding="utf-8")


def card_to_markdown(card: dict[str, Any]) -> str:
    """The model card as Markdown: what each model does, what it was trained on, how well it does."""
    lines = [
        "# Model card — cdv classify models",
        "",
        f"- Trained: {card.get('trained_at', '')}",
        f"- Lexicon version: {card.get('lexicon_version', '')}",
        f"- scikit-learn {card.get('sklearn_version', '')}, skops {card.get('skops_version', '')}",
        f"- Training data: {card.get('training_data', '')}",
        "",
        "| model | file | version | purpose |",
        "|---|---|---|---|",
    ]
    purposes = card.get("purposes", {})
    for name, version in card.get("versions", {}).items():
        lines.append(f"| {name} | {name}.skops | {version} | {purposes.get(name, '')} |")
    lines += ["", "## Training examples", ""]
    for name, count in card.get("examples", {}).items():
        lines.append(f"- {name}: {count}")
    lines += ["", "## Metrics", "", "```json", json.dumps(card.get("metrics", {}), ensure_ascii=False, indent=2), "```"]
    if card.get("reliability"):
        lines += ["", "## Calibration (reliability of `score`, held-out contracts)", ""]
        lines += ["| bin | n | mean predicted | observed |", "|---|---|---|---|"]
        for row in card["reliability"]:
            lines.append(f"| {row['bin']} | {row['n']} | {row['mean_predicted']:.3f} | {row['observed']:.3f} |")
    mention = card.get("mention_calibration") or {}
    if mention.get("table"):
        lines += ["", "## Calibration (reliability of the `mention` model's P(entite), held-out real prose)", ""]
        lines += [f"n = {mention['n']}, Brier = {mention['brier']}, ECE = {mention['ece']}", ""]
        lines += ["| bin | n | mean predicted | observed |", "|---|---|---|---|"]
        for row in mention["table"]:
            lines.append(f"| {row['bin']} | {row['n']} | {row['mean_predicted']:.3f} | {row['observed']:.3f} |")
    lines += acceptance_to_markdown(card.get("mention_acceptance") or {})
    candidate = card.get("candidate_evaluation") or {}
    if candidate.get("table"):
        lines += ["", "## Candidate model (organisations outside the lexicons), out of fold on the training data", ""]
        lines += [
            f"n = {candidate['n']} names outside the lexicons, Brier = {candidate['brier']}, threshold = "
            f"{candidate['threshold']} (lowest with at most {candidate['noise_budget']} noise names per contract "
            f"in real prose and {candidate.get('demo_noise_budget', candidate['noise_budget'])} in the demo corpus)",
            "",
            "| part | contracts | organisations | recall | noise per contract | Brier |",
            "|---|---|---|---|---|---|",
        ]
        for part, row in candidate.items():
            if isinstance(row, dict) and "organisations" in row:
                lines.append(
                    f"| {part} | {row['contracts']} | {row['organisations']} | {row['recall']} | "
                    f"{row['noise_per_contract']} | {row['brier']} |"
                )
        lines += ["", "| bin | n | mean predicted | observed |", "|---|---|---|---|"]
        for row in candidate["table"]:
            lines.append(f"| {row['bin']} | {row['n']} | {row['mean_predicted']:.3f} | {row['observed']:.3f} |")
    lines += ["", "## Limits", "", *[f"- {item}" for item in card.get("limits", [])], ""]
    return "\n".join(lines)


def acceptance_to_markdown(acceptance: dict[str, Any]) -> list[str]:
    """The card's section on the mention model's acceptance thresholds: contract-level scores out of fold."""
    if not acceptance:
        return []
    lines = [
        "",
        "## Acceptance of mentions (P(entite) threshold per kind, contract level, out of fold on the training data)",
        "",
        "| kind | threshold | real prose P / R / F1 at 0.5 | at the threshold | demo F1 at 0.5 | at the threshold |",
        "|---|---|---|---|---|---|",
    ]
    for kind, row in acceptance.items():
        base, chosen = row["prose_at_base"], row["prose_at_threshold"]
        lines.append(
            f"| {kind} | {row['threshold']} | {base['precision']} / {base['recall']} / {base['f1']} | "
            f"{chosen['precision']} / {chosen['recall']} / {chosen['f1']} | {row['demo_at_base']['f1']} | "
            f"{row['demo_at_threshold']['f1']} |"
        )
    for kind, row in acceptance.items():
        if own := row.get("entity_thresholds"):
            with_own = row["prose_with_entity_thresholds"]
            listed = ", ".join(f"{entity} {value}" for entity, value in own.items())
            lines.append(
                f"\n{kind}: own thresholds of frequent entities: {listed}; real prose P / R / F1 with them "
                f"{with_own['precision']} / {with_own['recall']} / {with_own['f1']}, demo F1 "
                f"{row['demo_with_entity_thresholds']['f1']}."
            )
    return lines
