"""MST Atlas: a sourced, interactive atlas of European micro-systems technology clusters.

The public API is what ``__all__`` lists; everything else may change.

>>> from mstatlas import load_clusters, rank_clusters, build_map
>>> clusters = load_clusters()                 # embedded, sourced default dataset
>>> rank_clusters(clusters, by="firms", top=5)  # like-for-like ranking
>>> build_map(clusters, measure="employees")    # folium.Map, works offline
>>> compare_clusters(clusters, ["dortmund", "twente"])   # side by side, with year, kind, source
>>> growth_table(clusters)                       # change and CAGR within one kind and perimeter
>>> rank_sensitivity(clusters, "dortmund")       # does the rank hold under another choice?
"""

from mstatlas.analysis.asof import as_of
from mstatlas.analysis.compare import compare_clusters, compare_warnings, ivam_benchmark_ids
from mstatlas.analysis.countries import country_summary
from mstatlas.analysis.detect import detect_clusters
from mstatlas.analysis.filters import Filters, apply_filters
from mstatlas.analysis.growth import cluster_growth, growth_series, growth_table
from mstatlas.analysis.nearby import nearby, share_of_total
from mstatlas.analysis.ranking import headline_figures, position_statement, rank_clusters
from mstatlas.analysis.rating import RatingThresholds, explain_star, rate_clusters
from mstatlas.analysis.sensitivity import rank_sensitivity, sensitivity_verdict
from mstatlas.data.disclosure import DisclosureRules
from mstatlas.data.profiles import cluster_profile, load_profiles
from mstatlas.data.validate import ValidationReport
from mstatlas.errors import DataError, MSTAtlasError, StoreError
from mstatlas.io import UploadResult, load_clusters, read_upload
from mstatlas.mapping.assets import standalone_html
from mstatlas.mapping.build import build_map
from mstatlas.store import DatasetStore, SharedDataset

__all__ = [
    "DataError",
    "RatingThresholds",
    "as_of",
    "cluster_growth",
    "cluster_profile",
    "compare_clusters",
    "compare_warnings",
    "country_summary",
    "detect_clusters",
    "explain_star",
    "growth_series",
    "growth_table",
    "ivam_benchmark_ids",
    "load_profiles",
    "nearby",
    "rank_sensitivity",
    "rate_clusters",
    "sensitivity_verdict",
    "share_of_total",
    "DatasetStore",
    "DisclosureRules",
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
