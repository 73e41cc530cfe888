"""Build the default dataset from the sourced files in ``data/``.

``data/clusters.csv`` is the project's sourced fact table followed by the rows of
``data/extra_figures.csv`` (same columns, same conventions), each copied unchanged, plus
one column the sources do not have:

- ``scope``: blank for a figure that covers the cluster's usual perimeter for its kind;
  otherwise the narrower or different perimeter it covers (e.g. "MST.factory tenants"),
  taken from ``data/figure_scopes.csv``, where every assignment says why (the breaks named
  in the data README and in each row's note). Growth is only computed within one scope.

The script is idempotent: a figure already in ``clusters.csv`` is not added again, every
scope must match exactly one figure, and a file with other columns is refused::

    python scripts/merge_figures.py
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
SCOPE = "scope"
_KEY = ("cluster_id", "counts_what", "year", "firms", "employees", "source_url")


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def merge(clusters: Path, extra: Path, scopes: Path) -> int:
    """Rewrite ``clusters`` with the missing rows of ``extra`` and the scopes; return rows added."""
    with clusters.open(encoding="utf-8", newline="") as f:
        columns = next(csv.reader(f))
    source_columns = [c for c in columns if c != SCOPE]
    base = _read(clusters)
    more = _read(extra)
    if more and list(more[0]) != source_columns:
        raise SystemExit(f"{extra.name} has other columns than {clusters.name}; nothing merged.")
    have = {tuple(r[c] for c in source_columns) for r in base}
    new = [r for r in more if tuple(r[c] for c in source_columns) not in have]
    rows = base + new
    for r in rows:
        r[SCOPE] = ""
    for s in _read(scopes):
        hits = [r for r in rows if all(r[k] == s[k] for k in _KEY)]
        if len(hits) != 1:
            raise SystemExit(f"Scope {s[SCOPE]!r} matches {len(hits)} figures, not one: {s}")
        hits[0][SCOPE] = s[SCOPE]
    with clusters.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, [*source_columns, SCOPE], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(new)


if __name__ == "__main__":
    n = merge(DATA / "clusters.csv", DATA / "extra_figures.csv", DATA / "figure_scopes.csv")
    print(f"Added {n} figure rows to clusters.csv; scopes applied.", file=sys.stderr)
