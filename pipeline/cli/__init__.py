"""The `cdv` command: each verb parses its options and calls one library function."""

from __future__ import annotations

from typing import IO, Any

import click

from pipeline import __version__
from pipeline.cli.french import VERSION_HELP, CdvCommand
from pipeline.cli.french import CdvGroup as FrenchGroup
from pipeline.errors import CdvError


class FrenchError(click.ClickException):
    """A one-line French error on standard error, exit code 1."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"Erreur : {self.format_message()}", err=True, file=file)


def fail(message: str) -> None:
    """Stop the command with a one-line French reason and exit code 1."""
    raise FrenchError(message)


class CdvGroup(FrenchGroup):
    """The `cdv` group: Click in French (`pipeline.cli.french`); a library error (`CdvError`) raised by any verb
    ends it with one French line, exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CdvError as error:
            raise FrenchError(str(error)) from error


@click.group("cdv", cls=CdvGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cdv", message="%(prog)s, version %(version)s", help=VERSION_HELP)
def main() -> None:
    """cdv : lecture semi-automatique des contrats de ville Engagements Quartiers 2030.

    Exemple : cdv run --corpus corpus/ --out outputs/latest
    """


from pipeline.cli import demo, lexicon, review, run, serve, tables, train  # noqa: E402  (verbs register on main)

__all__ = ["CdvCommand", "demo", "fail", "lexicon", "main", "review", "run", "serve", "tables", "train"]
