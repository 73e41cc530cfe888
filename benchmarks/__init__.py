"""Benchmarks of MST Atlas against a naive folium peer (run: ``python -m benchmarks``)."""
