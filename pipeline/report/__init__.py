"""Report stage: the output files of a run (`outputs`), and the publications built from them."""

from pipeline.report.outputs import (
    AUTO_DETECTIONS,
    CONTRACT_COLUMNS,
    DECIDED_DETECTIONS,
    OutputDirError,
    RunRecord,
    check_output_dir,
    contract_row,
    detections_source,
    write_outputs,
)

__all__ = [
    "AUTO_DETECTIONS",
    "CONTRACT_COLUMNS",
    "DECIDED_DETECTIONS",
    "OutputDirError",
    "RunRecord",
    "check_output_dir",
    "contract_row",
    "detections_source",
    "write_outputs",
]
