# Orion: one image for every role; the command picks it (docs/adr/0017-image-and-gateway.md):
#   docker run IMAGE serve --host 0.0.0.0 --no-workers --no-relay   the API alone
#   docker run IMAGE relay | worker --module payments | migrate | outbox status | ...
# Build: deploy/docker/build.sh (labels filled from git). BASE_IMAGE is any Debian-family image
# with python3 (3.11 or newer): the official slim Python image by default, or the one
# deploy/docker/base-image.sh makes from Debian's packages where public images cannot be pulled.
# checkov:skip=CKV_DOCKER_7:FROM ${BASE_IMAGE} is an ARG whose default is a fixed tag (a site pins its own base)
ARG BASE_IMAGE=python:3.11-slim-bookworm

FROM ${BASE_IMAGE} AS builder
ARG UV_VERSION=0.13.9
# uv puts the locked dependencies in /opt/orion/venv, compiled to bytecode (the image is
# read-only at run time); the machine's CA bundle, so a TLS-inspecting proxy's CA serves too
ENV UV_PROJECT_ENVIRONMENT=/opt/orion/venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_NO_CACHE=1 \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python3 -m venv /opt/uv && /opt/uv/bin/pip install --no-cache-dir "uv==${UV_VERSION}"
WORKDIR /src
# the dependencies first: this layer is rebuilt only when the lock file changes
COPY pyproject.toml uv.lock ./
RUN /opt/uv/bin/uv sync --frozen --no-dev --no-install-project --python python3
COPY README.md ./
COPY src ./src
RUN /opt/uv/bin/uv sync --frozen --no-dev --no-editable --python python3

FROM ${BASE_IMAGE}
# a fixed uid and gid, so volumes and Kubernetes' runAsUser agree with the image
RUN groupadd --system --gid 10001 orion \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/orion --no-create-home \
       --shell /usr/sbin/nologin orion \
    && install -d -o 10001 -g 10001 -m 0750 /var/lib/orion
COPY --from=builder /opt/orion/venv /opt/orion/venv
# ORION_DATA_DIR: a volume or tmpfs (emails as files, the embedded PostgreSQL of `serve`
# without ORION_DATABASE_URL); /tmp too when the root filesystem is read-only
ENV PATH=/opt/orion/venv/bin:${PATH} \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ORION_DATA_DIR=/var/lib/orion \
    ORION_LOG_FORMAT=json
WORKDIR /var/lib/orion
USER 10001:10001
EXPOSE 8000
# Orion drains on SIGTERM: readiness 503, consumers finish their messages, the relay its
# pass, the API its requests (10 s at most); give it a grace period of 30 s (compose sets it)
STOPSIGNAL SIGTERM
# liveness of `serve` on its default port; relays and workers are checked on their
# --metrics-port by the orchestrator (deploy/compose/compose.yml overrides this)
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request as u; sys.exit(u.urlopen('http://127.0.0.1:8000/health/live', timeout=2).status != 200)"]
# last: a new revision changes the labels only, never a cached layer above
ARG VERSION=unknown
ARG REVISION=unknown
ARG SOURCE=unknown
LABEL org.opencontainers.image.title="Orion" \
      org.opencontainers.image.description="An e-commerce backend that cannot lose an order or charge twice" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}"
ENTRYPOINT ["orion"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
