# syntax=docker/dockerfile:1
# RunCoach: one container, SQLite in /data by default, PostgreSQL via RUNCOACH_DATABASE_URL.
#   docker build -t runcoach .
#   docker run -d -p 8080:8080 -v runcoach-data:/data runcoach

# --- build: install the package and its dependencies into a virtualenv -----------------------------
FROM python:3.11-slim AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
COPY pyproject.toml README.md ./
COPY runcoach ./runcoach
COPY pages ./pages
RUN pip install --no-cache-dir ".[replicas]"

# --- runtime: the virtualenv only, run as an unprivileged user -------------------------------------
FROM python:3.11-slim

LABEL org.opencontainers.image.title="RunCoach" \
      org.opencontainers.image.description="A self-hosted treadmill run coach" \
      org.opencontainers.image.licenses="MIT"

RUN groupadd --gid 1000 runcoach \
    && useradd --uid 1000 --gid 1000 --create-home --home-dir /home/runcoach \
       --shell /usr/sbin/nologin runcoach \
    && mkdir -p /data \
    && chown runcoach:runcoach /data

COPY --from=build /opt/venv /opt/venv

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    RUNCOACH_DATA_DIR=/data \
    RUNCOACH_HOST=0.0.0.0 \
    RUNCOACH_PORT=8080 \
    NICEGUI_STORAGE_PATH=/data/.nicegui

# The data directory (database, generated storage secret, NiceGUI's user storage) is the volume;
# it is created and chowned above, before VOLUME, so a fresh named volume is writable by uid 1000.
WORKDIR /data
VOLUME /data
USER runcoach

EXPOSE 8080

# /health is a JSON route (checks the database), not a page: a page GET would leave a NiceGUI client behind.
# Any error or a non-200 status (503 while starting or when the database is down) exits 1.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request\ntry:\n    url = 'http://127.0.0.1:%s/health' % os.environ.get('RUNCOACH_PORT', '8080')\n    sys.exit(0 if urllib.request.urlopen(url, timeout=4).status == 200 else 1)\nexcept Exception:\n    sys.exit(1)"]

CMD ["runcoach", "serve"]
