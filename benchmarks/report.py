"""Markdown table of a benchmark run: ``python -m benchmarks.report [results/latest.json]``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _num(v: Any, fmt: str, scale: float = 1.0) -> str:
    return "–" if v is None else format(v * scale, fmt)


def markdown(report: dict[str, Any]) -> str:
    """The run's rows as a Markdown table (same columns as the printed one)."""
    lines = [
        "| scenario | n | app | build s | payload KB | B/pt | visible s | drawn s | map s "
        "| rerun ms | peak MB | pan p95/max ms |",
        "|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in report["rows"]:
        head = f"| {r['scenario']} | {r['n']:,} | {r['app']} "
        if "not_attempted" in r:
            lines.append(head + f"| {r['not_attempted']} |" + " |" * 8)
            continue
        b, rr = r.get("browser", {}), r.get("rerun", {})
        pz = b.get("pan_zoom") or {}
        pan = f"{pz['p95']:.0f} / {pz['max']:.0f}" if pz else "–"
        in_frame = (
            (b["symbols_ms"] - b["frame_ms"]) / 1000
            if b.get("symbols_ms") is not None and b.get("frame_ms") is not None
            else None
        )
        lines.append(
            head + f"| {_num(r['build_s'], '.3f')} | {_num(r['payload_bytes'], ',.0f', 1e-3)} "
            f"| {r['payload_bytes'] / max(r['n'], 1):,.1f} "
            f"| {_num(b.get('visible_ms'), '.2f', 1e-3)} | {_num(b.get('symbols_ms'), '.2f', 1e-3)} "
            f"| {_num(in_frame, '.2f')} | {_num(rr.get('rerun_ms'), ',.0f')} "
            f"| {_num(b.get('peak_mb'), '.0f')} "
            f"| {pan} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "results" / "latest.json"
    print(markdown(json.loads(path.read_text())))
