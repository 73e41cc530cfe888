"""What the Compare page draws, free of Streamlit: its table, bar charts and growth lines.

Figures are shown as :func:`mstatlas.analysis.compare.compare_clusters` and
:func:`mstatlas.analysis.growth.growth_table` give them: the display keeps the
qualifier, each figure keeps its year, kind and source, and a cluster without a
figure stays blank ("not reported" on a chart). Charts are Vega-Lite specs
(Altair) with the names as data, never as HTML.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import pandas as pd

from mstatlas.analysis.charts import number_locale
from mstatlas.analysis.figure_text import localise_numbers
from mstatlas.analysis.growth import series_label
from mstatlas.analysis.provenance import in_sentence, year_text
from mstatlas.data.schema import COUNTS_WHAT, COUNTS_WHAT_COLOURS, MEASURES
from mstatlas.data.text import strip_bidi_frame
from mstatlas.i18n import N_, _, fmt_int, ngettext

#: The measures compared side by side, and those whose growth is shown.
COMPARE_MEASURES: tuple[str, ...] = tuple(MEASURES)
GROWTH_MEASURES: tuple[str, ...] = ("employees", "firms")
#: What a chart says for a cluster without a figure.
NOT_REPORTED = N_("not reported")
#: Characters of a cluster name on a chart's axis before it is cut with "…".
NAME_CHARS = 28
_BAR_STEP = 26  # pixels per cluster on a bar chart
_DASHES = [[5, 3], [2, 2], [8, 3, 2, 3]]  # lines of a narrower or other scope


def _blank(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _text(value: Any) -> str:
    return "" if _blank(value) else str(value)


def with_missing(
    table: pd.DataFrame,
    order: Sequence[str],
    names: Mapping[str, str],
    measures: Sequence[str] = COMPARE_MEASURES,
) -> pd.DataFrame:
    """The comparison table with blank rows for picked clusters it does not hold.

    Parameters
    ----------
    table : DataFrame
        The output of :func:`~mstatlas.analysis.compare.compare_clusters`.
    order : sequence of str
        Every picked cluster id, in the order to show.
    names : mapping
        Cluster id -> name, for the clusters missing from ``table`` (e.g.
        filtered out by the sidebar).
    measures : sequence of str
        The measures of ``table``, in its order.

    Returns
    -------
    DataFrame
        The columns of ``table``; clusters in ``order``, each with one row per
        measure. A missing cluster's rows have a blank value, ``display`` ``""``
        and ``n_figures`` 0, like a cluster without a figure.
    """
    have = set(table["cluster_id"])
    blanks = [
        {"cluster_id": cid, "cluster_name": names.get(cid, cid), "measure": m, "display": "",
         "qualifier": "", "n_figures": 0}
        for cid in order if cid not in have for m in measures
    ]  # fmt: skip
    if not blanks:
        return table
    extra = pd.DataFrame(blanks, columns=table.columns).astype(table.dtypes.to_dict())
    out = pd.concat([table, extra], ignore_index=True)
    position = {cid: i for i, cid in enumerate(order)}
    out = out.assign(_pos=out["cluster_id"].map(position)).sort_values("_pos", kind="mergesort")
    return out.drop(columns="_pos").reset_index(drop=True)


def wide_table(table: pd.DataFrame, measures: Sequence[str] = COMPARE_MEASURES) -> pd.DataFrame:
    """One row per cluster; per measure its figure, year, kind, scope (if any) and source.

    Parameters
    ----------
    table : DataFrame
        The comparison table (:func:`with_missing` or ``compare_clusters``).
    measures : sequence of str
        The measures to show, in this order.

    Returns
    -------
    DataFrame
        ``Cluster``, then for each measure (its label ``L`` in
        :data:`~mstatlas.data.schema.MEASURES`): ``L`` (the figure as
        displayed, qualifier kept), ``L year`` ("undated" when the source gives
        none), ``L counts`` (what the figure counts), ``L scope`` (only when a
        figure of that measure has one), ``L source`` and ``L link`` (the
        source's address as given; ``None`` when blank). A blank figure leaves
        all its cells empty.
    """
    clusters = table.drop_duplicates("cluster_id")
    out = pd.DataFrame({"Cluster": clusters["cluster_name"].astype(str).to_numpy()})
    for m in measures:
        part = table[table["measure"] == m].set_index("cluster_id").reindex(clusters["cluster_id"])
        has = part["value"].notna().to_numpy()
        label = MEASURES[m]
        out[label] = [_text(d) if h else "" for d, h in zip(part["display"], has)]
        out[_("{measure} year").format(measure=label)] = [
            year_text(y) if h else "" for y, h in zip(part["year"], has)
        ]
        out[_("{measure} counts").format(measure=label)] = [
            COUNTS_WHAT.get(_text(k), _text(k)) if h else ""
            for k, h in zip(part["counts_what"], has)
        ]
        scopes = [_text(s) if h else "" for s, h in zip(part["scope"], has)]
        if any(scopes):
            out[_("{measure} scope").format(measure=label)] = scopes
        out[_("{measure} source").format(measure=label)] = [
            _text(t) if h else "" for t, h in zip(part["source_title"], has)
        ]
        links = [(_text(u) or None) if h else None for u, h in zip(part["source_url"], has)]
        # " link" stays in every language: the page finds the link columns by it
        out[f"{label} link"] = pd.Series(links, dtype=object)  # None, not NaN, for a blank
    return out


def pairs_compared(table: pd.DataFrame) -> dict[str, int]:
    """How many pairs of figures the table compares per measure (both clusters with one).

    Parameters
    ----------
    table : DataFrame
        The comparison table (:func:`with_missing` or ``compare_clusters``).

    Returns
    -------
    dict
        Measure -> number of pairs of clusters that both have a figure for it,
        in table order (0 for a measure with fewer than two figures).
    """
    n = table["value"].notna().groupby(table["measure"], sort=False).sum()
    return {str(m): int(k) * (int(k) - 1) // 2 for m, k in n.items()}


def _axis_name(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1].rstrip() + "…"


def _axis_labels(names: Sequence[str]) -> list[str]:
    """Short, distinct axis labels (zero-width spaces keep equal names apart)."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        short = _axis_name(name)
        out.append(short + "\u200b" * seen.get(short, 0))
        seen[short] = seen.get(short, 0) + 1
    return out


def _kind_scale(kinds: Sequence[str]) -> alt.Scale:
    shown = [k for k in COUNTS_WHAT if k in set(kinds)]
    return alt.Scale(
        domain=[COUNTS_WHAT[k] for k in shown], range=[COUNTS_WHAT_COLOURS[k] for k in shown]
    )


def compare_chart(table: pd.DataFrame, measure: str) -> alt.LayerChart:
    """A small horizontal bar chart of one measure for the compared clusters.

    Parameters
    ----------
    table : DataFrame
        The comparison table (:func:`with_missing` or ``compare_clusters``).
    measure : str
        One of :data:`~mstatlas.data.schema.MEASURES`.

    Returns
    -------
    altair.LayerChart
        One bar per cluster in table order, coloured by what the figure counts
        (:data:`~mstatlas.data.schema.COUNTS_WHAT_COLOURS`) and labelled with
        the figure as displayed and its year ("≈ 2,100 (2008)"); a cluster
        without a figure has no bar and the label :data:`NOT_REPORTED`.
    """
    part = strip_bidi_frame(table[table["measure"] == measure])  # names as stored, not reversed
    has = part["value"].notna().to_numpy()
    names = part["cluster_name"].astype(str).tolist()
    kinds = [_text(k) if h else "" for k, h in zip(part["counts_what"], has)]
    df = pd.DataFrame(
        {
            "label": _axis_labels(names),
            "cluster_name": names,
            "value": part["value"].astype(float).to_numpy(),
            "text_x": part["value"].astype(float).fillna(0.0).to_numpy(),
            "figure": [
                f"{_text(d)} ({year_text(y)})" if h else _(NOT_REPORTED)
                for d, y, h in zip(part["display"], part["year"], has)
            ],
            "kind": [COUNTS_WHAT.get(k, k) if k else _(NOT_REPORTED) for k in kinds],
            "scope": [_text(s) for s in part["scope"]],
            "source_title": [_text(s) for s in part["source_title"]],
        }
    )
    top = float(df["value"].max()) if has.any() else 1.0
    label = MEASURES[measure]
    base = alt.Chart(df).encode(
        y=alt.Y("label:N", sort=df["label"].tolist(), title=None, axis=alt.Axis(labelLimit=0)),
        # room to the right of the longest bar for its label
        x=alt.X(
            "value:Q",
            title=None,  # the chart's title names the measure
            scale=alt.Scale(domain=[0, top * 1.8], nice=False),
            axis=alt.Axis(format=",~r", tickCount=3),
        ),
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "kind:N",
            scale=_kind_scale([k for k in kinds if k]),
            title=_("What the figure counts"),
            legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=0),
        ),
        tooltip=[
            alt.Tooltip("cluster_name:N", title=_("Cluster")),
            alt.Tooltip("figure:N", title=label),
            alt.Tooltip("kind:N", title=_("Counts")),
            alt.Tooltip("scope:N", title=_("Scope")),
            alt.Tooltip("source_title:N", title=_("Source")),
        ],
    )
    text = base.mark_text(align="left", baseline="middle", dx=4).encode(
        x="text_x:Q", text="figure:N"
    )
    chart = alt.LayerChart(layer=[bars, text]).properties(
        height=_BAR_STEP * max(1, len(df)), title=label
    )
    return _localised(chart)


def _localised(chart: alt.LayerChart) -> alt.LayerChart:
    """The chart with its axes' numbers written in the active language (2.000 in German)."""
    locale = number_locale()
    return chart.configure(locale=locale) if locale else chart


def _signed(value: float, digits: int = 0) -> str:
    """``+845``, ``−12`` (a true minus sign), ``±0``."""
    if round(value, digits) == 0:
        return "±0"
    text = localise_numbers([f"{abs(value):,.{digits}f}"])[0]
    return ("+" if value > 0 else "−") + text


def growth_line(row: Mapping[str, Any], measure: str) -> str:
    """One growth in words, e.g. ``Cluster firms, employees: 1,572 (2007) → 2,417 (2015):
    +845, +5.5 % a year — different sources``.

    Parameters
    ----------
    row : mapping
        A row of :func:`~mstatlas.analysis.growth.growth_table`.
    measure : str
        The measure that table was computed for.

    Returns
    -------
    str
        Plain text (escape it for markdown): the series (kind and scope), the
        measure, the start and end figures as displayed with their years, the
        change and the compound annual growth rounded to 0.1 %, then the
        table's caveats after a dash. A growth not computable (a figure of 0)
        says so.
    """
    series = series_label(str(row["counts_what"]), row.get("scope"))
    what = f"{series}, {in_sentence(MEASURES[measure])}"
    ends = (
        f"{row['start_display']} ({int(row['start_year'])}) → "
        f"{row['end_display']} ({int(row['end_year'])})"
    )
    change = _signed(float(row["change"]), 1 if measure == "employees_per_firm" else 0)
    rate = row["cagr"]
    if _blank(rate) or not math.isfinite(float(rate)):
        growth = _("no compound annual growth (a figure is 0)")
    else:
        growth = _("{rate} % a year").format(rate=_signed(float(rate) * 100, 1))
    n = int(row["years"])
    line = ngettext(
        "{series}: {ends}: {change} in {n} year, {growth}",
        "{series}: {ends}: {change} in {n} years, {growth}",
        n,
    ).format(series=what, ends=ends, change=change, n=fmt_int(n), growth=growth)
    caveats = _text(row.get("caveats"))
    return f"{line} — {caveats}" if caveats else line


def growth_chart(series: pd.DataFrame, measure: str) -> alt.LayerChart:
    """A small line chart of one cluster's dated figures for one measure.

    Parameters
    ----------
    series : DataFrame
        The output of :func:`~mstatlas.analysis.growth.growth_series`.
    measure : str
        The measure it was computed for.

    Returns
    -------
    altair.LayerChart
        One line per series (kind and scope), so different kinds are never
        joined; coloured by kind, dashed for a narrower or other scope; each
        point labelled with its year, the figure as displayed in its tooltip.
    """
    series = strip_bidi_frame(series)  # series are named after sources and scopes
    labels = list(dict.fromkeys(series["series"]))
    first = series.drop_duplicates("series").set_index("series")
    colours = [COUNTS_WHAT_COLOURS.get(str(first.loc[s, "counts_what"]), "#666") for s in labels]
    scoped = iter(_DASHES * len(labels))  # each narrower or other scope its own dash
    dashes = [[1, 0] if _blank(first.loc[s, "scope"]) else next(scoped) for s in labels]
    df = pd.DataFrame(
        {
            "series": series["series"].astype(str).to_numpy(),
            "year": series["year"].astype(int).to_numpy(),
            "value": series["value"].astype(float).to_numpy(),
            "display": series["display"].astype(str).to_numpy(),
            "source_title": [_text(s) for s in series["source_title"]],
        }
    )
    legend = alt.Legend(
        orient="bottom", direction="vertical", title=_("Series (kind, scope)"), labelLimit=0
    )
    base = alt.Chart(df).encode(
        x=alt.X("year:Q", title=None, axis=alt.Axis(format="d", tickMinStep=1)),
        y=alt.Y("value:Q", title=MEASURES[measure], axis=alt.Axis(format=",~r")),
        color=alt.Color("series:N", scale=alt.Scale(domain=labels, range=colours), legend=legend),
        detail="series:N",
    )
    lines = base.mark_line().encode(
        strokeDash=alt.StrokeDash(
            "series:N", scale=alt.Scale(domain=labels, range=dashes), legend=legend
        )
    )
    points = base.mark_point(filled=True, size=45).encode(
        tooltip=[
            alt.Tooltip("series:N", title=_("Series")),
            alt.Tooltip("year:Q", title=_("Year"), format="d"),
            alt.Tooltip("display:N", title=MEASURES[measure]),
            alt.Tooltip("source_title:N", title=_("Source")),
        ]
    )
    years = base.mark_text(dy=-9, fontSize=10).encode(text=alt.Text("year:Q", format="d"))
    chart = alt.LayerChart(layer=[lines, points, years]).properties(
        height=190, title=MEASURES[measure]
    )
    return _localised(chart)
