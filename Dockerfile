# MST Atlas: the Streamlit app in one container.
#   docker build -t mstatlas .
#   docker run -p 8501:8501 -v mstatlas-data:/data mstatlas
# Shared datasets go to an SQLite file in /data unless MSTATLAS_DATABASE_URL points at
# PostgreSQL (see compose.yaml and docs/HOSTING.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MSTATLAS_HOME=/data \
    MSTATLAS_CACHE_DIR=/app/.cache/mstatlas

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so editing code does not reinstall them.
# (Every dependency ships manylinux wheels: no compiler needed.)
COPY pyproject.toml ./
RUN mkdir -p src/mstatlas && touch README.md src/mstatlas/__init__.py \
    && pip install -e . \
    && rm -rf src

COPY . .
# Re-register the real package (no dependency changes) and vendor Leaflet into static/
# at build time, so the app never needs to write into /app at run time.
RUN pip install --no-deps -e . \
    && python -c "from pathlib import Path; from mstatlas.mapping.assets import install_static_assets; install_static_assets(Path('static'))" \
    && python -c "from mstatlas.data.geocode import warm_cache; warm_cache()"
# (the offline geocoder's place index is built into the image, so no upload pays for it)

# Streamlit and PostgreSQL clients do not need root; /data holds the SQLite file.
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin mstatlas \
    && mkdir -p /data && chown mstatlas /data
USER mstatlas
VOLUME ["/data"]

EXPOSE 8501
# slim has no curl: ask Streamlit's health endpoint with the standard library.
HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
    CMD python -c "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).status == 200 else 1)"

# Streamlit reads .streamlit/config.toml from the working directory (/app).
CMD ["streamlit", "run", "app.py", "--server.address=0.0.0.0", "--server.port=8501"]
