"""Report stage: the output files of a run (`outputs`), and the publications built from them."""

from pipeline.report.outputs import (
    CONTRACT_COLUMNS,
    OutputDirError,
    RunRecord,
    check_output_dir,
    contract_row,
    write_outputs,
)

__all__ = ["CONTRACT_COLUMNS", "OutputDirError", "RunRecord", "check_output_dir", "contract_row", "write_outputs"]
