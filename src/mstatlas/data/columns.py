"""Recognise the columns of a user's file (English, German, French headers).

:func:`detect_mapping` maps the *canonical fields* in :data:`CANONICAL_FIELDS`
to the file's own column names. Countries as people write them are read by
:mod:`mstatlas.data.countries`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

import pandas as pd

from mstatlas.data.normalise import plain_text
from mstatlas.data.profiles import PROFILE_FIELDS
from mstatlas.i18n import N_, Labels

#: Canonical field -> what it holds (shown to people choosing a mapping).
CANONICAL_FIELDS: Final[Labels] = Labels(
    {
        "name": N_("name of the cluster (cluster table) or of the firm (firm list)"),
        "cluster_id": N_("short identifier of the cluster (made from the name when absent)"),
        "cluster": N_("cluster or group a firm belongs to (firm lists only)"),
        "city": N_("city or town"),
        "country": N_("country: name in English/German/French or ISO code"),
        "region": N_("region, state or province"),
        "lat": N_("latitude in decimal degrees (WGS 84)"),
        "lon": N_("longitude in decimal degrees (WGS 84)"),
        "firms": N_("number of firms (cluster table)"),
        "employees": N_("number of employees"),
        "year": N_("year the figure refers to"),
        "source": N_("title of the source of the figure"),
        "source_url": N_("web address of the source"),
        "counts_what": N_("what the figure counts (cluster_firms, network_members, ...)"),
        "technology": (
            N_(
                "technology or field (MEMS, microfluidics, ...): a firm's in a firm list, the "
                "cluster's technologies (profile facts, several separated by ;) in a cluster "
                "table"
            )
        ),
        "organisation": N_("organisation (network, institute, agency) the figure comes from"),
        "note": N_("free-text note"),
        "firms_qualifier": N_("how the firm count is stated (about, more_than, at_least, up_to)"),
        "employees_qualifier": N_("how the employee count is stated (about, more_than, ...)"),
        "scope": (
            N_(
                "perimeter of the figure when not the cluster's usual one (e.g. MST.factory "
                "tenants); blank: the usual one"
            )
        ),
        "region_employment": N_("total employment of the cluster's region (whole number)"),
        "markets": N_("markets the cluster serves (profile facts, several separated by ;)"),
        "research_institutes": N_(
            "research institutes of the cluster (profile facts, ; separated)"
        ),
        "cluster_organisation": N_("the cluster's organisation or management body (profile fact)"),
        "startup_support": N_("start-up support: incubators, competitions (profile facts)"),
        "events": N_("recurring events, fairs, conferences (profile facts)"),
        "founded": N_("when the cluster or its organisation was founded (profile fact)"),
        "website": N_("the cluster's website (profile fact)"),
    }
)

#: Canonical field -> the profile field (:data:`mstatlas.data.profiles.PROFILE_FIELDS`)
#: its cells become in a cluster table. A firm list's ``technology`` stays the firm's
#: technology (its technology mix), so firm lists give no profile facts.
PROFILE_FIELD_OF: Final[dict[str, str]] = {
    "technology": "technologies",
    **{f: f for f in PROFILE_FIELDS if f != "technologies"},
}

#: Headers of a name column that holds firms, i.e. the file is a firm list.
_FIRM_NAME_ALIASES: Final[tuple[str, ...]] = (
    "firma",
    "firmenname",
    "unternehmensname",
    "name des unternehmens",
    "unternehmen",
    "unternehmen name",
    "company",
    "company name",
    "firm",
    "firm name",
    "entreprise",
    "nom de l entreprise",
    "raison sociale",
    "societe",
)

# Aliases are compared after plain_text(): lower case, accents removed, punctuation as spaces.
_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "name": (
        "name",
        "cluster name",
        "clustername",
        "name des clusters",
        "bezeichnung",
        "titel",
        "nom",
        "nom du cluster",
        "cluster",
        *_FIRM_NAME_ALIASES,
    ),
    "cluster_id": ("cluster id", "cluster_id", "cluster slug"),
    "cluster": ("cluster", "netzwerk", "network", "group", "gruppe", "pole", "reseau"),
    "city": (
        "city",
        "town",
        "stadt",
        "ort",
        "ville",
        "municipality",
        "gemeinde",
        "standort",
        "commune",
        "localite",
        "location",
        "place",
        "sitz",
        "city name",
    ),
    "country": (
        "country",
        "land",
        "pays",
        "staat",
        "country code",
        "iso2",
        "country iso2",
        "countrycode",
        "laendercode",
        "landercode",
        "nation",
    ),
    "region": ("region", "bundesland", "state", "province", "departement", "nuts2", "nuts"),
    "lat": ("lat", "latitude", "breitengrad", "breite", "y", "geo lat", "lat wgs84"),
    "lon": (
        "lon",
        "lng",
        "long",
        "longitude",
        "laengengrad",
        "langengrad",
        "laenge",
        "lange",
        "x",
        "geo lon",
    ),
    "firms": (
        "firms",
        "number of firms",
        "firm count",
        "companies",
        "number of companies",
        "unternehmen",
        "anzahl unternehmen",
        "firmen",
        "anzahl firmen",
        "entreprises",
        "nombre d entreprises",
        "nb entreprises",
        "nombre entreprises",
    ),
    "employees": (
        "employees",
        "staff",
        "jobs",
        "headcount",
        "workforce",
        "number of employees",
        "beschaftigte",
        "beschaeftigte",
        "anzahl beschaftigte",
        "mitarbeiter",
        "mitarbeitende",
        "arbeitsplatze",
        "emplois",
        "salaries",
        "effectif",
        "effectifs",
    ),
    "year": ("year", "jahr", "annee", "bezugsjahr", "reference year", "stand"),
    "source": (
        "source",
        "source title",
        "source_title",
        "quelle",
        "quellenangabe",
        "reference",
        "referenz",
    ),
    "source_url": ("source url", "url", "link", "quelle url", "lien", "source link"),
    "counts_what": ("counts what", "what is counted", "zahlweise", "type of figure"),
    "technology": (
        "technology",
        "technologie",
        "technologies",
        "technologien",
        "technologies cles",
        "key technologies",
        "schlusseltechnologien",
        "field",
        "bereich",
        "domaine",
        "schwerpunkt",
        "focus",
        "tech",
        "branche",
    ),
    "organisation": ("organisation", "organization", "trager", "organisme"),
    "note": (
        "note",
        "notes",
        "comment",
        "comments",
        "bemerkung",
        "anmerkung",
        "kommentar",
        "remarque",
        "commentaire",
    ),
    "firms_qualifier": ("firms qualifier",),
    "employees_qualifier": ("employees qualifier",),
    "scope": ("scope", "perimeter", "abgrenzung", "geltungsbereich", "umfang", "perimetre"),
    "region_employment": (
        "region employment",
        "regional employment",
        "employment in region",
        "employment in the region",
        "total employment region",
        "beschaftigte region",
        "beschaftigte in der region",
        "erwerbstatige region",
        "erwerbstatige in der region",
        "emploi regional",
        "emploi total region",
        "emploi de la region",
    ),
    "markets": (
        "markets",
        "market",
        "application markets",
        "markte",
        "markt",
        "anwendungsmarkte",
        "zielmarkte",
        "marches",
        "marche",
    ),
    "research_institutes": (
        "research institutes",
        "research institute",
        "research institutions",
        "institutes",
        "forschungseinrichtungen",
        "forschungsinstitute",
        "institute",
        "instituts de recherche",
        "laboratoires",
    ),
    "cluster_organisation": (
        "cluster organisation",
        "cluster organization",
        "cluster management",
        "clusterorganisation",
        "clustermanagement",
        "organisation du cluster",
        "gestion du cluster",
    ),
    "startup_support": (
        "startup support",
        "start up support",
        "incubator",
        "incubators",
        "grundungsforderung",
        "grunderforderung",
        "grunderzentrum",
        "inkubator",
        "soutien aux start up",
        "incubateur",
    ),
    "events": ("events", "veranstaltungen", "evenements", "manifestations"),
    "founded": (
        "founded",
        "founding year",
        "year founded",
        "established",
        "gegrundet",
        "grundungsjahr",
        "grundung",
        "fondation",
        "date de creation",
        "annee de creation",
    ),
    "website": (
        "website",
        "web site",
        "website url",
        "webseite",
        "homepage",
        "internetseite",
        "site web",
        "site internet",
    ),
}

# A name column with one of these headers holds firms, i.e. the file is a firm list.
_FIRM_NAME_HEADERS: Final = frozenset(_FIRM_NAME_ALIASES)


_NORM_ALIASES: Final = {f: tuple(plain_text(a) for a in al) for f, al in _ALIASES.items()}


def _score(header: str, alias: str) -> int:
    if header == alias:
        return 3
    if len(alias) > 2 and (header.startswith(alias + " ") or header.endswith(" " + alias)):
        return 2
    if len(alias) > 3 and f" {alias} " in f" {header} ":
        return 1
    return 0


def is_known_header(column: str) -> bool:
    """True if a column header is one of the known names of a field ("Ort", "lat", ...)."""
    return plain_text(column) in _KNOWN_HEADERS


_KNOWN_HEADERS: Final = frozenset(a for al in _NORM_ALIASES.values() for a in al)


def is_firm_name_header(column: str) -> bool:
    """True if a column header names firms ("Firma", "Company", ...), not clusters."""
    return plain_text(column) in _FIRM_NAME_HEADERS


def _mostly_numeric(values: Iterable[object]) -> bool:
    texts = [str(v).strip() for v in values if v is not None and str(v).strip()]
    if not texts:
        return False
    numeric = sum(bool(re.fullmatch(r"[~≈<>≥≤+]?\s*[\d.,'\s]+\+?", t)) for t in texts)
    return numeric >= 0.8 * len(texts)


def detect_mapping(columns: list[str], sample: pd.DataFrame | None = None) -> dict[str, str | None]:
    """Guess which of a file's columns holds each canonical field.

    Parameters
    ----------
    columns : list of str
        The file's column names, as written (any language, any case).
    sample : pandas.DataFrame, optional
        A few rows of the file. Used to settle headers that mean two things:
        "Unternehmen" is a firm *count* when its values are numbers and a
        firm *name* otherwise.

    Returns
    -------
    dict
        Every key of :data:`CANONICAL_FIELDS`, mapped to a column name or
        ``None`` when no column matches. Each column is used at most once.

    Examples
    --------
    >>> detect_mapping(["Bezeichnung", "Stadt", "Beschäftigte", "Breitengrad", "Länge"])["lon"]
    'Länge'
    """
    normed = {c: plain_text(c) for c in columns}
    candidates: list[tuple[int, int, int, str, str]] = []
    order = list(CANONICAL_FIELDS)
    for col_pos, col in enumerate(columns):
        h = normed[col]
        if not h:
            continue
        for field_name, aliases in _NORM_ALIASES.items():
            best = max((_score(h, a) for a in aliases), default=0)
            if best:
                alias_rank = min(
                    (i for i, a in enumerate(aliases) if _score(h, a) == best), default=99
                )
                candidates.append((-best, alias_rank, col_pos, field_name, col))
    # "Unternehmen" holds names or counts depending on its values.
    for col in columns:
        if normed[col] == "unternehmen":
            drop = "name" if _is_count_column(col, sample) else "firms"
            candidates = [c for c in candidates if not (c[4] == col and c[3] == drop)]
    # With a firm-name column, a "Cluster" column groups firms instead of naming rows.
    firm_cols = [
        c for c in columns if normed[c] in _FIRM_NAME_HEADERS and not _is_count_column(c, sample)
    ]
    if firm_cols:
        candidates = [
            c
            for c in candidates
            if not (c[3] == "name" and c[4] not in firm_cols)
            and not (c[3] == "firms" and c[4] in firm_cols)
        ]
    else:
        candidates = [c for c in candidates if c[3] != "cluster"]
    candidates.sort(key=lambda c: (c[0], order.index(c[3]), c[1], c[2]))
    mapping: dict[str, str | None] = dict.fromkeys(CANONICAL_FIELDS)
    used: set[str] = set()
    for _neg, _rank, _pos, field_name, col in candidates:
        if mapping[field_name] is None and col not in used:
            mapping[field_name] = col
            used.add(col)
    return mapping


def _is_count_column(col: str, sample: pd.DataFrame | None) -> bool:
    if plain_text(col) != "unternehmen":
        return False
    if sample is None or col not in sample.columns:
        return True  # without values, "Unternehmen" reads as the count (German usage)
    return _mostly_numeric(sample[col].head(50).tolist())
