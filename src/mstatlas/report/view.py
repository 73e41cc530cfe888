"""What a report describes: the view someone built, without the app around it."""

from __future__ import annotations

from dataclasses import dataclass, field

from mstatlas.analysis.filters import Filters
from mstatlas.analysis.rating import RatingThresholds
from mstatlas.i18n import N_, _

#: Name of the embedded dataset in reports (the app's own name for it may differ).
DEFAULT_DATASET_NAME = N_("MST clusters in Europe (sourced figures)")


@dataclass(frozen=True)
class ReportView:
    """The view a bundle is built from; the app fills it from its link, the CLI from options.

    Satisfies :class:`mstatlas.analysis.charts.ChartView` (``mixed``, ``top``,
    ``filters()``), so the ranking chart of a bundle is the one the Ranking page draws.

    Attributes
    ----------
    dataset : str
        The dataset's title as people know it (an upload's name, untrusted).
    view_filters : Filters
        The sidebar's filters.
    measure : str
        What the map's symbols show.
    rank_by, top, mixed
        The ranking: measure, how many ranks, and whether kinds of figures are mixed.
    lat, lon, zoom
        Where the map looks; ``None`` fits all clusters.
    rating : RatingThresholds
        The star thresholds in view.
    firm_list : bool
        The dataset is a firm list aggregated per cluster (confidentiality applies).
    confidentiality : str
        What disclosure control did, in words (blank when nothing was protected).
    """

    dataset: str = DEFAULT_DATASET_NAME
    view_filters: Filters = field(default_factory=Filters)
    measure: str = "employees"
    rank_by: str = "employees"
    top: int = 10
    mixed: bool = False
    lat: float | None = None
    lon: float | None = None
    zoom: int | None = None
    rating: RatingThresholds = field(default_factory=RatingThresholds)
    firm_list: bool = False
    confidentiality: str = ""

    def filters(self) -> Filters:
        """The filters in view (the chart's :class:`ChartView` protocol asks for a method)."""
        return self.view_filters

    def dataset_title(self) -> str:
        """The dataset's title in the active language (an upload's name as it is)."""
        return _(self.dataset) if self.dataset == DEFAULT_DATASET_NAME else self.dataset
