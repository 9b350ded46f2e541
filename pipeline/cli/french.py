"""Click in French: the strings Click itself prints (usage, headings, help of `--help`, defaults, errors) for
every `cdv` verb, without gettext catalogues.

Click passes each of its messages through `gettext` (`_` and `ngettext` in its modules); while a `cdv` command
runs, `french_click()` puts a dictionary lookup in their place (and puts Click's own functions back after), so
an unknown command, a missing option or `--workers 0` are reported in French. `CdvCommand` and `CdvGroup` give
every verb French metavars (DOSSIER, FICHIER, ENTIER…), a French `--help`, a help formatter with French
typography, and exit code 1 on a usage error (design: exit 1 with a one-line French reason).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import click
from click import exceptions as click_exceptions
from click import types as click_types

# Click (8.2 and later) shows a group's help, not an error, when no sub-command is given: left as it is.
NO_ARGS_IS_HELP: tuple[type[Exception], ...] = tuple(
    kind for kind in (getattr(click_exceptions, "NoArgsIsHelpError", None),) if isinstance(kind, type)
)
HELP_TEXT = "Affiche cette aide et quitte."
VERSION_HELP = "Affiche la version et quitte."
USAGE_EXIT_CODE = 1
MESSAGES = {
    "Usage:": "Usage :",
    "Options": "Options",
    "Commands": "Commandes",
    "Positional arguments": "Arguments",
    "Show this message and exit.": HELP_TEXT,
    "Show the version and exit.": VERSION_HELP,
    "%(prog)s, version %(version)s": "%(prog)s, version %(version)s",
    "default: {default}": "défaut : {default}",
    "required": "obligatoire",
    "env var: {var}": "variable d'environnement : {var}",
    "(dynamic)": "(calculé)",
    "deprecated": "obsolète",
    "Aborted!": "Interrompu.",
    "Error: {message}": "Erreur : {message}",
    "Try '{command} {option}' for help.": "Aide : {command} {option}",
    "Invalid value: {message}": "valeur invalide : {message}",
    "Invalid value for {param_hint}: {message}": "valeur invalide pour {param_hint} : {message}",
    "Missing argument": "argument manquant",
    "Missing option": "option manquante",
    "Missing parameter": "paramètre manquant",
    "Missing {param_type}": "{param_type} manquant",
    "Missing parameter: {param_name}": "paramètre manquant : {param_name}",
    "Missing command.": "commande manquante.",
    "No such option {name!r}.": "option inconnue : {name}.",
    "No such command {name!r}.": "commande inconnue : « {name} ».",
    "Option {name!r} does not take a value.": "l'option {name} ne prend pas de valeur.",
    "Argument {name!r} takes {nargs} values.": "l'argument {name} prend {nargs} valeurs.",
    "Invalid start character for option ({option})": "caractère initial invalide pour une option ({option})",
    "Value must be an iterable.": "la valeur doit être une liste.",
    "{value} is not in the range {range}.": "{value} n'est pas dans les valeurs admises ({range}).",
    "{value!r} is not a valid {number_type}.": "« {value} » n'est pas un nombre valide.",
    "{value!r} is not a valid boolean. Recognized values: {states}": (
        "« {value} » n'est ni oui ni non ; valeurs reconnues : {states}"
    ),
    "{value!r} is not a valid UUID.": "« {value} » n'est pas un UUID valide.",
    "{name} {filename!r} does not exist.": "« {filename} » n'existe pas.",
    "{name} {filename!r} is a file.": "« {filename} » est un fichier, pas un dossier.",
    "{name} {filename!r} is a directory.": "« {filename} » est un dossier, pas un fichier.",
    "{name} {filename!r} is not readable.": "« {filename} » n'est pas lisible.",
    "{name} {filename!r} is not writable.": "« {filename} » n'est pas accessible en écriture.",
    "{name} {filename!r} is not executable.": "« {filename} » n'est pas exécutable.",
    "Could not open file {filename!r}: {message}": "impossible d'ouvrir « {filename} » : {message}",
    "unknown error": "erreur inconnue",
    "Choose from:\n\t{choices}": "Choisir parmi :\n\t{choices}",
    "file": "fichier",
    "directory": "dossier",
    "path": "chemin",
    "Press any key to continue...": "Appuyez sur une touche pour continuer…",
    "Repeat for confirmation": "Répétez pour confirmer",
    "Error: The two entered values do not match.": "Erreur : les deux valeurs saisies diffèrent.",
    "Error: invalid input": "Erreur : saisie invalide",
}
PLURAL_MESSAGES = {
    "Got unexpected extra argument ({args})": (
        "argument inattendu en trop ({args})",
        "arguments inattendus en trop ({args})",
    ),
    "Option {name!r} requires an argument.": (
        "l'option {name} demande une valeur.",
        "l'option {name} demande {nargs} valeurs.",
    ),
    "Did you mean {possibility}?": ("Vouliez-vous dire {possibility} ?", "(Vouliez-vous dire {possibilities} ?)"),
    "{value!r} is not {choice}.": ("« {value} » n'est pas {choice}.", "« {value} » n'est pas parmi {choices}."),
    "{value!r} does not match the format {format}.": (
        "« {value} » ne suit pas le format {format}.",
        "« {value} » ne suit aucun des formats {formats}.",
    ),
    "Takes {nargs} values but 1 was given.": (
        "attend {nargs} valeurs mais 1 a été donnée.",
        "attend {nargs} valeurs mais {len} ont été données.",
    ),
}
QUOTED = re.compile(r"(?<!\w)'([^'\s]+)'")
NBSP = "\u00a0"


def join_param_hints(param_hint: Sequence[str] | str | None) -> str | None:
    """Option names in a message, between « » (Click quotes them the English way)."""
    if param_hint is not None and not isinstance(param_hint, str):
        return " / ".join(f"« {hint} »" for hint in param_hint)
    return param_hint


def click_gettext(message: str) -> str:
    """Click's message in French (the English one when it has no translation)."""
    return MESSAGES.get(message, message)


def click_ngettext(singular: str, plural: str, count: int) -> str:
    """Click's singular/plural message in French (French: 0 and 1 take the singular)."""
    forms = PLURAL_MESSAGES.get(singular)
    if forms is None:
        return singular if count == 1 else plural
    return forms[0] if abs(count) < 2 else forms[1]


def click_modules() -> list[Any]:
    """Click's modules that translate their messages through `_` / `ngettext`."""
    return [module for name, module in sorted(sys.modules.items()) if name.startswith("click") and module is not None]


@contextmanager
def french_click() -> Iterator[None]:
    """While the block runs, Click's messages come from the French dictionaries; Click's own functions are put
    back afterwards (nothing else in the process sees a change)."""
    saved: list[tuple[Any, str, Callable[..., Any]]] = []
    for module in click_modules():
        for name, replacement in (("_", click_gettext), ("ngettext", click_ngettext)):
            current = getattr(module, name, None)
            if callable(current) and getattr(current, "__module__", "") == "gettext":
                saved.append((module, name, current))
                setattr(module, name, replacement)
    hints = getattr(click_exceptions, "_join_param_hints", None)
    if callable(hints):
        saved.append((click_exceptions, "_join_param_hints", hints))
        click_exceptions._join_param_hints = join_param_hints
    try:
        yield
    finally:
        for module, name, original in saved:
            setattr(module, name, original)


class FrenchHelpFormatter(click.HelpFormatter):
    """French typography in help: a space before the colon of headings, ` ; ` between the notes in brackets,
    option names quoted « » in messages."""

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading} :\n")

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        super().write_dl([(term, help_typography(text)) for term, text in rows], col_max, col_spacing)


def bracket_notes(notes: str) -> str:
    """The notes Click puts in brackets, French: ` ; ` between them, decimal commas (`30.0` → `30`, `2.5` → `2,5`),
    on one line."""
    notes = re.sub(
        r"(?<![\w.])(\d+)\.(\d+)(?![\w.])",
        lambda m: m.group(1) if set(m.group(2)) == {"0"} else f"{m.group(1)},{m.group(2)}",
        notes,
    )
    return notes.replace("; ", " ; ").replace(" ", NBSP)


def help_typography(text: str) -> str:
    """A non-breaking space before `:` and `;` (a line never starts with them), and the notes in brackets kept
    on one line: `[défaut : 2; de 1 à 64]` → `[défaut : 2 ; de 1 à 64]`."""
    text = re.sub(r"\[([^\[\]]*)\]$", lambda m: "[" + bracket_notes(m.group(1)) + "]", text)
    return re.sub(r" (?=[:;?!»])", NBSP, text)


class CdvContext(click.Context):
    formatter_class = FrenchHelpFormatter


class IntRange(click.IntRange):
    """An integer range described in French (`de 1 à 64`, `au moins 1`)."""

    def _describe_range(self) -> str:
        return describe_range(self.min, self.max, self.min_open, self.max_open)


class FloatRange(click.FloatRange):
    """A number range described in French (`de 0 à 3600`)."""

    def _describe_range(self) -> str:
        return describe_range(self.min, self.max, self.min_open, self.max_open)


def describe_range(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    def number(value: float) -> str:
        return f"{value:g}".replace(".", ",")

    if low is None and high is not None:
        return f"{'moins de' if high_open else 'au plus'} {number(high)}"
    if high is None and low is not None:
        return f"{'plus de' if low_open else 'au moins'} {number(low)}"
    if low is None or high is None:
        return "tout nombre"
    return f"de {number(low)} à {number(high)}" + (" (bornes exclues)" if low_open or high_open else "")


def french_metavar(param: click.Parameter) -> str | None:
    """DOSSIER, FICHIER, CHEMIN, ENTIER, NOMBRE or TEXTE for an option's value (None: Click's own)."""
    kind = param.type
    if isinstance(kind, click.Path):
        if kind.dir_okay and not kind.file_okay:
            return "DOSSIER"
        return "FICHIER" if kind.file_okay and not kind.dir_okay else "CHEMIN"
    if isinstance(kind, click_types.IntParamType):
        return "ENTIER"
    if isinstance(kind, click_types.FloatParamType):
        return "NOMBRE"
    if isinstance(kind, click_types.StringParamType):
        return "TEXTE"
    return None


class CdvUsageError(click.UsageError):
    """A usage error in French, exit code 1."""

    exit_code = USAGE_EXIT_CODE


def usage_error(error: click.UsageError) -> CdvUsageError:
    """Click's usage error, its message (already French) with option names between « »."""
    return CdvUsageError(french_quotes(error.format_message()), error.ctx)


PASS_THROUGH: tuple[type[BaseException], ...] = (CdvUsageError, *NO_ARGS_IS_HELP)


class CdvCommand(click.Command):
    """A `cdv` verb: French metavars, French `--help`, French help formatting, usage errors exit with 1."""

    context_class = CdvContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, click.Option) and param.metavar is None and not param.is_flag:
                param.metavar = french_metavar(param)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_TEXT
        return option

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except PASS_THROUGH:
            raise
        except click.UsageError as error:
            raise usage_error(error) from None


class CdvGroup(CdvCommand, click.Group):
    """A `cdv` group: sub-commands are `CdvCommand`s (sub-groups, `CdvGroup`s), with the same French help."""

    command_class = CdvCommand
    group_class = type

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("subcommand_metavar") is None:
            optional = kwargs.get("invoke_without_command")
            kwargs["subcommand_metavar"] = "[COMMANDE] [ARGUMENTS]..." if optional else "COMMANDE [ARGUMENTS]..."
        super().__init__(*args, **kwargs)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except PASS_THROUGH:
            raise
        except click.UsageError as error:
            raise usage_error(error) from None

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run the command with Click speaking French."""
        with french_click():
            return super().main(*args, **kwargs)


def french_quotes(message: str) -> str:
    """`'--workers'` → `« --workers »`, `'RUN_A'` → `« RUN_A »` in an error message (apostrophes of French words,
    as in « l'option », stay)."""
    return QUOTED.sub(lambda m: f"« {m.group(1)} »", message)
