"""The atlas's words for its own concepts, as types: one name, one set of values each.

Signatures use these aliases instead of ``str`` so a type checker catches a
misspelt value (``"employee"``) or one concept passed for another (a kind of
table where a kind of figure is meant). Each alias has the tuple of its values
for loops and checks; the tables that describe the values for people stay in
:mod:`mstatlas.data.schema` (a test keeps both in step).
"""

from __future__ import annotations

from typing import Final, Literal, get_args

#: What one row of a table is: a reported figure of a cluster, or one firm of a firm list.
TableKind = Literal["clusters", "firms"]
TABLE_KINDS: Final[tuple[TableKind, ...]] = get_args(TableKind)

#: How bad a problem in an upload is: an error refuses its row, a warning keeps it.
Severity = Literal["error", "warning"]
SEVERITIES: Final[tuple[Severity, ...]] = get_args(Severity)

#: What a figure measures (:data:`mstatlas.data.schema.MEASURES` names them for people).
Measure = Literal["employees", "firms", "employees_per_firm"]
MEASURE_KEYS: Final[tuple[Measure, ...]] = get_args(Measure)

#: What a figure counts, its kind (:data:`mstatlas.data.schema.COUNTS_WHAT` names them).
CountsWhat = Literal[
    "cluster_firms",
    "network_members",
    "regional_sector",
    "national",
    "institute_staff",
    "spin_offs",
    "unspecified",
]
COUNTS_WHAT_KEYS: Final[tuple[CountsWhat, ...]] = get_args(CountsWhat)

#: How a source states a figure ("" for exactly; :data:`mstatlas.data.schema.QUALIFIERS`).
Qualifier = Literal["", "about", "more_than", "at_least", "up_to"]
QUALIFIER_KEYS: Final[tuple[Qualifier, ...]] = get_args(Qualifier)
