# graph-service: the GraphQL API, talking Bolt to Neo4j (see docker-compose.yml).
# The embedded engine is not installed here: in a container GRAPH_URI always points at Neo4j.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

COPY pyproject.toml README.md ./
COPY graph_service/ graph_service/
COPY loaders/ loaders/
COPY schema/ schema/

RUN pip install --no-cache-dir . \
    && groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --shell /usr/sbin/nologin app \
    && mkdir -p /data \
    && chown app:app /data

ENV ENV=production HOST=0.0.0.0 PORT=8000 DATA_DIR=/data

# A named volume mounted here starts out owned by the user above.
VOLUME ["/data"]

USER 10001:10001

EXPOSE 8000

# No curl in the slim image: probe /healthz with the standard library.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/healthz', timeout=4)"]

CMD ["graph-service", "serve"]
