# syntax=docker/dockerfile:1
# Build: docker build -t odvarsel .
# Migrate: docker run --rm -e DATABASE_URL=... -e ENVIRONMENT=production ... odvarsel odvarsel migrate
# Serve:   docker run -p 8000:8000 -e DATABASE_URL=... -e ENVIRONMENT=production ... odvarsel
# Worker:  docker run -e ... odvarsel odvarsel worker   (then WORKER__RUN_IN_APP=false on the API)

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/venv
# Exact versions with hashes (make lock), then the project alone: nothing is resolved here.
COPY requirements/runtime.txt ./requirements/
RUN /opt/venv/bin/pip install --require-hashes -r requirements/runtime.txt
COPY pyproject.toml README.md ./
COPY app ./app
RUN /opt/venv/bin/pip install --no-deps --no-build-isolation .

FROM python:3.11-slim AS runtime
# PYTHONPATH: `app` is imported from /srv/odvarsel, next to alembic.ini and alembic/, so
# `odvarsel migrate` finds its migrations.
ENV PATH=/opt/venv/bin:$PATH PYTHONPATH=/srv/odvarsel PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 HOST=0.0.0.0 PORT=8000 DATA_DIR=/var/lib/odvarsel
RUN useradd --system --uid 10001 --home-dir /srv/odvarsel odvarsel \
    && mkdir -p /var/lib/odvarsel && chown odvarsel /var/lib/odvarsel
WORKDIR /srv/odvarsel
COPY --from=build /opt/venv /opt/venv
COPY alembic.ini ./
COPY alembic ./alembic
COPY demo ./demo
COPY app ./app
USER odvarsel
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)" || exit 1
# Forwarded headers are believed from the reverse proxy in front: set FORWARDED_ALLOW_IPS to
# its addresses. The app reads the same variable at start and refuses * in production.
CMD ["sh", "-c", "exec uvicorn --factory app.main:app_from_env --host \"$HOST\" --port \"$PORT\" --proxy-headers --forwarded-allow-ips \"${FORWARDED_ALLOW_IPS:-127.0.0.1}\""]
