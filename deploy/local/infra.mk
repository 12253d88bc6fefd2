# Local infrastructure (Kafka, PostgreSQL, stripe-mock, Garage, LiveKit) for tests and development.
# Included by the main Makefile; see deploy/local/infra.py for what each target does.

INFRA_SCRIPT := $(dir $(lastword $(MAKEFILE_LIST)))infra.py

.PHONY: infra-up infra-down infra-status

infra-up: $(LIVEKIT_STAMP) ## start Kafka, PostgreSQL, stripe-mock, Garage and LiveKit (idempotent), write .infra.env
	python3 $(INFRA_SCRIPT) up

infra-down: ## stop them and delete Kafka, PostgreSQL, Garage and LiveKit data
	python3 $(INFRA_SCRIPT) down

infra-status: ## show which parts are up
	python3 $(INFRA_SCRIPT) status
