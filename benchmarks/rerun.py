"""Server-side rerun time after a filter change, in a fresh process (AppTest).

Run as ``python -m benchmarks.rerun APP LABEL N_CHANGES`` with the data
environment variables set; prints one JSON line. A fresh process per app and
size matters: ``st.cache_data`` is shared by all AppTest instances of a process.
The first run (cold start) is reported apart; each change then sets the
"Minimum employees" filter to a value not used before, so the filtered data is
not in any cache (the worst warm case), and the run is timed.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time


def main(argv: list[str]) -> int:
    app, label, changes = argv[0], argv[1], int(argv[2])
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(app, default_timeout=900)
    t = time.perf_counter()
    at.run()
    first = time.perf_counter() - t
    if at.exception:
        print(json.dumps({"error": str(at.exception[0].value)[:300]}))
        return 1
    widget = next(w for w in at.number_input if w.label == label)
    times = []
    for i in range(changes):
        widget = next(w for w in at.number_input if w.label == label)
        widget.set_value(1 + i)
        t = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t)
        if at.exception:
            print(json.dumps({"error": str(at.exception[0].value)[:300]}))
            return 1
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "first_run_ms": first * 1000,
                "rerun_ms": statistics.median(times) * 1000,
                "rerun_all_ms": [x * 1000 for x in times],
                "apptest_peak_mb": peak,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
