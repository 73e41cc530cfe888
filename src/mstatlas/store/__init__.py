"""Persistence of shared datasets (the ``?ds=<id>`` links), apart from reading uploads.

``model`` (what is kept: :class:`SharedDataset`, ids, tokens), ``settings``
(where: ``MSTATLAS_DATABASE_URL`` and the limits), ``schema`` (the tables and
their upgrades), ``encoding`` (a dataset as Parquet + JSON), ``database``
(:class:`DatasetStore`: save, load, delete) and ``dataset`` (the
:class:`~mstatlas.store.dataset.Dataset` the app and the command line show,
made from an upload or a shared dataset). No Streamlit here.
"""

from mstatlas.store.database import DatasetStore, forget_store, get_store
from mstatlas.store.model import SavedDataset, SharedDataset, valid_dataset_id
from mstatlas.store.settings import database_url, default_sqlite_path

__all__ = [
    "DatasetStore",
    "SavedDataset",
    "SharedDataset",
    "database_url",
    "default_sqlite_path",
    "forget_store",
    "get_store",
    "valid_dataset_id",
]
