"""cdv: semi-automatic reading of the contrats de ville Engagements Quartiers 2030.

The stages (`corpus`, `extract`, `structure`, `match`, `classify`, `aggregate`, `report`) are plain
functions over the types of `pipeline.types`; `pipeline.flows` orchestrates them with Prefect and
`pipeline.cli` is the `cdv` command.
"""

__version__ = "0.1.0"
