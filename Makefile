# Kinlink. `make run` starts the platform in one process; `make test` brings up the real Kafka,
# PostgreSQL, stripe-mock and Garage, runs every test against them, and tears them down.

UV_VERSION := 0.13.9
TOOLS := .cache/tools
UV := $(TOOLS)/bin/uv
PROTOS := $(shell find contracts/proto -name '*.proto')
# axe-core checks the portal's pages in the browser tests; fetched with the machine's npm.
AXE_VERSION := 4.14.1
AXE := $(TOOLS)/axe/node_modules/axe-core/axe.min.js
# LiveKit's browser client, which the portal's video pages join rooms with (decision 0075).
LIVEKIT_CLIENT_VERSION := 2.23.0
LIVEKIT_CLIENT_SHA256 := fb646f2260d84f91238d0a2dc10726c456631d6a26c7cafc43cfee5959b4d31d
LIVEKIT_CLIENT := portal/src/kinlink_portal/static/vendor/livekit-client.umd.js
# Twilio's segment calculator, the oracle the SMS gateway's segment counting is tested against.
SMS_SEGMENTS_VERSION := 1.3.0
SMS_SEGMENTS := $(TOOLS)/sms-segments/node_modules/sms-segments-calculator/dist/index.js
# LiveKit's server, the video provider of the distributed mode and of the visitation tests; built
# once with the machine's Go (about 2 minutes), the stamp naming the version built.
LIVEKIT_VERSION := v1.13.5
LIVEKIT_STAMP := $(TOOLS)/livekit-server-$(LIVEKIT_VERSION).stamp
GO ?= $(shell command -v go || echo /usr/local/go/bin/go)
PYTEST_ARGS ?=
# The AsyncAPI targets; before the rules that need the schema it fetches.
include contracts/asyncapi.mk
include deploy/k8s/manifests.mk
include deploy/kafka-monitoring.mk

.DEFAULT_GOAL := help
.PHONY: help install browser-tools run test test-unit lint proto schemas messages bench screenshots

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(UV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

install: $(UV) ## install Python and the locked dependencies into .venv
	$(UV) sync --frozen --python 3.11

$(AXE):
	npm install --prefix $(TOOLS)/axe --no-save --no-audit --no-fund axe-core@$(AXE_VERSION)

$(LIVEKIT_STAMP): | $(UV)
	@echo "livekit: go install github.com/livekit/livekit-server/cmd/server@$(LIVEKIT_VERSION) (once; about 2 minutes) ..."
	GOBIN=$(abspath $(TOOLS)/livekit-build) $(GO) install github.com/livekit/livekit-server/cmd/server@$(LIVEKIT_VERSION)
	mv $(TOOLS)/livekit-build/server $(TOOLS)/bin/livekit-server
	rmdir $(TOOLS)/livekit-build
	touch $@

$(SMS_SEGMENTS):
	npm install --prefix $(TOOLS)/sms-segments --no-save --no-audit --no-fund \
	  sms-segments-calculator@$(SMS_SEGMENTS_VERSION)

# The browser tests drive Debian's Chromium (Playwright's own browser downloads are not used).
browser-tools: $(AXE) $(LIVEKIT_CLIENT) ## Debian's chromium, axe-core and LiveKit's browser client, for the portal's browser tests
	@command -v chromium >/dev/null || { apt-get update -q && apt-get install -y -q chromium; } || \
	 { echo "The portal's browser tests need Debian's chromium: run 'apt-get install -y chromium' as root." >&2; exit 1; }

run: install ## start every service and the portal in one process (embedded mode: no servers needed)
	$(UV) run --frozen kinlink-embedded

test: install browser-tools $(SMS_SEGMENTS) $(ASYNCAPI_SPEC) $(KUSTOMIZE_STAMP) kafka-monitoring-tools ## start the infrastructure, run all tests on it, stop it
	@$(MAKE) --no-print-directory infra-up || { $(MAKE) --no-print-directory infra-down; exit 1; }
	@status=0; $(UV) run --frozen pytest $(PYTEST_ARGS) || status=$$?; \
	 $(MAKE) --no-print-directory infra-down; exit $$status

test-unit: install $(SMS_SEGMENTS) $(ASYNCAPI_SPEC) ## only the tests that need no infrastructure
	$(UV) run --frozen pytest tests/unit tests/contracts $(PYTEST_ARGS)

lint: install ## ruff (lint and format) and mypy
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy contracts/src/kinlink_contracts kit/src services/identity/src services/ledger/src services/messaging/src services/sms-gateway/src services/commissary/src services/visitation/src cli/src embedded/src portal/src benchmarks examples/facility-integration/src

proto: install ## regenerate the gRPC code in contracts/src/kinlink from contracts/proto
	rm -rf contracts/src/kinlink
	$(UV) run --frozen python -m grpc_tools.protoc -I contracts/proto \
	  --python_out=contracts/src --grpc_python_out=contracts/src --pyi_out=contracts/src $(PROTOS)

# New sentences get an empty Spanish entry to fill in; a unit test fails until every one has it.
messages: install ## bring the portal's Spanish catalog up to date with its sentences
	@mkdir -p var
	$(UV) run --frozen pybabel extract -F portal/babel.cfg -k N_ --no-location --sort-output \
	  -o var/portal-messages.pot portal/src/kinlink_portal
	$(UV) run --frozen pybabel update -i var/portal-messages.pot -d portal/src/kinlink_portal/locale \
	  -l es --no-fuzzy-matching --ignore-obsolete -w 100

# The browser journeys again, each page they visit photographed (tests/browser/portal/screenshots.py).
screenshots: install browser-tools ## photograph the portal's pages into docs/screenshots (starts the infrastructure)
	@$(MAKE) --no-print-directory infra-up || { $(MAKE) --no-print-directory infra-down; exit 1; }
	@rm -rf docs/screenshots; status=0; \
	 KINLINK_SCREENSHOTS=docs/screenshots $(UV) run --frozen pytest tests/browser/portal -p no:randomly -q || status=$$?; \
	 $(MAKE) --no-print-directory infra-down; \
	 [ $$status -ne 0 ] || $(UV) run --frozen python -m tests.browser.portal.screenshots docs/screenshots; exit $$status

schemas: install ## export the events' JSON Schemas to contracts/schemas (refuses breaking changes)
	$(UV) run --frozen python -m kinlink_contracts.schemas write contracts/schemas

# The identity benchmark books thousands of residents, which every later ledger must read from
# identity's topic before it quotes: it runs last.
bench: install ## measure deposits, wallet charges, the audit replay, messaging, SMS, commissary purchases and posting runs, video visit bookings and minutes charged, and identity on the real infrastructure
	@$(MAKE) --no-print-directory infra-up
	@status=0; $(UV) run --frozen python -m benchmarks.deposits && \
	 $(UV) run --frozen python -m benchmarks.wallet && \
	 $(UV) run --frozen python -m benchmarks.messaging && \
	 $(UV) run --frozen python -m benchmarks.sms && \
	 $(UV) run --frozen python -m benchmarks.sms_round_trips && \
	 $(UV) run --frozen python -m benchmarks.commissary_purchases && \
	 $(UV) run --frozen python -m benchmarks.commissary_posting && \
	 $(UV) run --frozen python -m benchmarks.visit_bookings && \
	 $(UV) run --frozen python -m benchmarks.visits_charged && \
	 $(UV) run --frozen python -m benchmarks.memory && \
	 $(UV) run --frozen python -m benchmarks.identity || status=$$?; \
	 $(MAKE) --no-print-directory infra-down; exit $$status

include deploy/local/infra.mk

# LiveKit's browser client: one pinned file fetched with the machine's npm, its hash checked,
# copied into the portal's static files (not kept in git, not a Python dependency).
$(LIVEKIT_CLIENT):
	@mkdir -p $(TOOLS)/livekit-client $(dir $@)
	npm pack --silent --pack-destination $(TOOLS)/livekit-client livekit-client@$(LIVEKIT_CLIENT_VERSION)
	tar -xzf $(TOOLS)/livekit-client/livekit-client-$(LIVEKIT_CLIENT_VERSION).tgz -C $(TOOLS)/livekit-client
	echo "$(LIVEKIT_CLIENT_SHA256)  $(TOOLS)/livekit-client/package/dist/livekit-client.umd.js" | sha256sum -c --quiet -
	cp $(TOOLS)/livekit-client/package/dist/livekit-client.umd.js $@
	cp $(TOOLS)/livekit-client/package/LICENSE $(dir $@)livekit-client.LICENSE

.PHONY: video-client
video-client: $(LIVEKIT_CLIENT) ## LiveKit's browser client into the portal's static files (the distributed mode's video pages)
include deploy/docker/images.mk
