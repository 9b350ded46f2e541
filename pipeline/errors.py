"""Library exceptions: small named classes whose French message says what to fix."""


class CdvError(Exception):
    """Base class: the CLI turns it into a one-line French error and exit code 1."""


class CorpusError(CdvError):
    """The corpus folder or its manifest cannot be used."""


class WorkspaceError(CdvError):
    """The workspace folder cannot be created or written."""
