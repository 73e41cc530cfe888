"""MST Atlas: a sourced, interactive atlas of European micro-systems technology clusters.

The public API is what ``__all__`` lists; everything else may change.

>>> from mstatlas import load_clusters, rank_clusters, build_map
>>> clusters = load_clusters()                 # embedded, sourced default dataset
>>> rank_clusters(clusters, by="firms", top=5)  # like-for-like ranking
>>> build_map(clusters, measure="employees")    # folium.Map, works offline
"""

from mstatlas.analysis.filters import Filters, apply_filters
from mstatlas.analysis.ranking import headline_figures, position_statement, rank_clusters
from mstatlas.data.loading import load_clusters
from mstatlas.data.readers import UploadResult, read_upload
from mstatlas.data.store import DatasetStore, SharedDataset
from mstatlas.data.validate import ValidationReport
from mstatlas.errors import DataError, MSTAtlasError, StoreError
from mstatlas.mapping.assets import standalone_html
from mstatlas.mapping.build import build_map

__all__ = [
    "DataError",
    "DatasetStore",
    "SharedDataset",
    "UploadResult",
    "ValidationReport",
    "Filters",
    "MSTAtlasError",
    "StoreError",
    "apply_filters",
    "build_map",
    "headline_figures",
    "load_clusters",
    "position_statement",
    "rank_clusters",
    "read_upload",
    "standalone_html",
]

__version__ = "0.1.0"
