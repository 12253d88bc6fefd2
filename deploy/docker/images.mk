# `make images`: every target of deploy/docker/Dockerfile, built with docker, podman or buildah,
# whichever this machine has (CONTAINER_TOOL=... chooses), tagged $(IMAGE_REPOSITORY)/<name>:$(IMAGE_TAG).
# Containers cannot be built everywhere the tests run: there the Dockerfile is checked statically
# (tests/deploy/test_dockerfile.py) and this target says why it cannot build.

IMAGE_TARGETS := identity ledger messaging sms-gateway commissary visitation portal
IMAGE_REPOSITORY ?= kinlink
IMAGE_TAG ?= $(shell sed -n 's/^version = "\(.*\)"$$/\1/p' pyproject.toml | head -n 1)
# Docker only with BuildKit (buildx): the Dockerfile uses its cache mounts and ignore file.
CONTAINER_TOOL ?= $(shell if docker buildx version >/dev/null 2>&1; then echo docker; \
  elif command -v podman >/dev/null; then echo podman; elif command -v buildah >/dev/null; then echo buildah; fi)
# Docker reads deploy/docker/Dockerfile.dockerignore by itself; podman and buildah are told.
IMAGE_BUILD_FLAGS = $(if $(filter docker,$(CONTAINER_TOOL)),,--ignorefile deploy/docker/Dockerfile.dockerignore)

.PHONY: images
images: ## build every service's image and the portal's with docker, podman or buildah
	@test -n "$(CONTAINER_TOOL)" || { echo "make images: no container tool here that builds (docker with buildx, podman or buildah): build the images where one is installed." >&2; exit 1; }
	@$(MAKE) --no-print-directory $(LIVEKIT_CLIENT)
	@for target in $(IMAGE_TARGETS); do \
	  echo "$(CONTAINER_TOOL): $(IMAGE_REPOSITORY)/$$target:$(IMAGE_TAG)"; \
	  DOCKER_BUILDKIT=1 $(CONTAINER_TOOL) build $(IMAGE_BUILD_FLAGS) -f deploy/docker/Dockerfile \
	    --target $$target -t $(IMAGE_REPOSITORY)/$$target:$(IMAGE_TAG) . || exit 1; \
	done
