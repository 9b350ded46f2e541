"""Report stage: the raw files of a run (`outputs`), and the publications built from them (`publish`)."""

from pipeline.report.outputs import (
    AUTO_DETECTIONS,
    CONTRACT_COLUMNS,
    DECIDED_DETECTIONS,
    detections_source,
    write_raw_run,
)
from pipeline.runfolder import OutputDirError, check_output_dir

__all__ = [
    "AUTO_DETECTIONS",
    "CONTRACT_COLUMNS",
    "DECIDED_DETECTIONS",
    "OutputDirError",
    "check_output_dir",
    "detections_source",
    "write_raw_run",
]
