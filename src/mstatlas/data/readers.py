"""Moved: the upload engine is :mod:`mstatlas.io` (reading, named stages, one pipeline).

This module only re-exports its public names until every import says ``mstatlas.io``.
"""

from __future__ import annotations

from mstatlas.io.context import GEOCODING_COLUMNS as GEOCODING_COLUMNS
from mstatlas.io.context import Progress as Progress
from mstatlas.io.load import FORMATS as FORMATS
from mstatlas.io.upload import UploadResult as UploadResult
from mstatlas.io.upload import read_upload as read_upload
from mstatlas.io.upload import warm_up as warm_up
from mstatlas.io.xlsx import default_sheet as default_sheet
from mstatlas.io.xlsx import list_sheets as list_sheets
