"""Reading researchers' files: sniffing, one module per format, and the checks as named stages.

:func:`read_upload` reads a file (:mod:`mstatlas.io.load`) and runs the stages of
:mod:`mstatlas.io.pipeline` over it; :func:`list_sheets` and :func:`default_sheet`
look into an XLSX workbook; :func:`warm_up` loads what the first upload waits for;
:func:`load_clusters` gives the default dataset or any file as a cluster table.
"""

from mstatlas.io.clusters import load_clusters
from mstatlas.io.detected import Detected
from mstatlas.io.stages.require_columns import MissingColumns
from mstatlas.io.upload import UploadResult, read_upload, warm_up
from mstatlas.io.xlsx import default_sheet, list_sheets

__all__ = [
    "Detected",
    "MissingColumns",
    "UploadResult",
    "default_sheet",
    "list_sheets",
    "load_clusters",
    "read_upload",
    "warm_up",
]
