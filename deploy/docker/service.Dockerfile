# syntax=docker/dockerfile:1
#
# The image of ONE Kinlink service, chosen by build args. The build context is the repository root:
#
#   docker build -f deploy/docker/service.Dockerfile -t kinlink/ledger:0.1.0 .
#   docker build -f deploy/docker/service.Dockerfile \
#       --build-arg SERVICE=ledger --build-arg PACKAGE=kinlink-ledger -t kinlink/ledger:0.1.0 .
#
# SERVICE is the folder under services/ (SOURCE another folder: --build-arg SERVICE=portal
# --build-arg SOURCE=portal for the web portal), PACKAGE the workspace package to install and
# COMMAND its console script (kinlink-<service> by convention). Only PACKAGE's locked dependencies are installed
# (`uv sync --package`): the ledger's image holds contracts, kit and ledger, not the CLI (click) nor
# the embedded runner.
#
# The context is filtered by service.Dockerfile.dockerignore beside this file (BuildKit reads a
# Dockerfile-specific ignore file; it keeps .venv, .cache, var and __pycache__ out of the context).
#
# For reproducible builds, pin the base image by digest: --build-arg PYTHON_IMAGE=python:3.11-slim@sha256:...
# Both stages must use the same image: the venv's python is a symlink to the base image's interpreter.

ARG PYTHON_IMAGE=python:3.11-slim

# --- build: resolve and install into /app/.venv ---------------------------------------------------
FROM ${PYTHON_IMAGE} AS build

ARG UV_VERSION=0.13.9
RUN pip install --no-cache-dir --disable-pip-version-check --root-user-action=ignore "uv==${UV_VERSION}"

# Compile bytecode now: the container runs with a read-only root filesystem and could not cache it.
# Never let uv download a Python of its own: it would not exist in the runtime stage.
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=python3.11 \
    UV_PROJECT_ENVIRONMENT=/app/.venv

WORKDIR /app

ARG SERVICE=ledger
ARG PACKAGE=kinlink-${SERVICE}
# Where its sources are: services/<SERVICE>, except the web portal's (SOURCE=portal).
ARG SOURCE=services/${SERVICE}

# 1. Workspace metadata only, so the dependency layer is rebuilt only when the lock changes.
#    One line per workspace member: add a new service's pyproject.toml here.
COPY pyproject.toml uv.lock ./
COPY contracts/pyproject.toml contracts/
COPY kit/pyproject.toml kit/
COPY services/ledger/pyproject.toml services/ledger/
COPY cli/pyproject.toml cli/
COPY embedded/pyproject.toml embedded/
COPY portal/pyproject.toml portal/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package "${PACKAGE}" --no-install-workspace

# 2. The sources of the shared libraries and of this one service; installed as wheels
#    (--no-editable), so the runtime stage needs the venv only, not the source tree.
COPY contracts/ contracts/
COPY kit/ kit/
COPY ${SOURCE}/ ${SOURCE}/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package "${PACKAGE}" --no-editable

# A stable entrypoint name whatever the service; fails the build if the console script is missing.
ARG COMMAND=kinlink-${SERVICE}
RUN test -x "/app/.venv/bin/${COMMAND}" \
    && ln -s "${COMMAND}" /app/.venv/bin/kinlink-service

# --- runtime: the venv and nothing else ------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

ARG SERVICE=ledger
LABEL org.opencontainers.image.title="kinlink-${SERVICE}" \
      org.opencontainers.image.description="Kinlink ${SERVICE} service"

# uid/gid 1000, matching runAsUser in deploy/k8s. No home directory is needed.
RUN groupadd --system --gid 1000 kinlink \
    && useradd --system --uid 1000 --gid 1000 --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin kinlink

COPY --from=build /app/.venv /app/.venv

# KINLINK_GRPC_HOST defaults to 127.0.0.1 in the code; a container must listen on all interfaces.
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    KINLINK_GRPC_HOST=0.0.0.0 \
    KINLINK_GRPC_PORT=50051

WORKDIR /app
USER 1000:1000
EXPOSE 50051 9090

# Exec form: the service is PID 1 and receives SIGTERM itself (it reports NOT_SERVING and drains).
ENTRYPOINT ["/app/.venv/bin/kinlink-service"]
