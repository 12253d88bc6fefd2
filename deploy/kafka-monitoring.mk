# The tools that check deploy/k8s/kafka and deploy/k8s/monitoring offline (tests/deploy/
# test_kafka_*.py, test_monitoring_*.py), built once under .cache/tools and never fetched by the
# tests: the Strimzi and Prometheus operator schemas as validators and TypeScript types, with
# the TypeScript compiler (npm, pinned with their hashes in package-lock.json), and Prometheus's
# promtool, which tests the alert rules (built with the machine's Go from the module proxy,
# checked against Go's checksum database; about 15 minutes once on a busy two-core machine).
PROMTOOL_VERSION := v0.316.0
PROMTOOL_STAMP := $(TOOLS)/promtool-$(PROMTOOL_VERSION).stamp
CRD_SCHEMAS := $(TOOLS)/custom-resources/node_modules/.package-lock.json

$(PROMTOOL_STAMP):
	@echo "promtool: go install github.com/prometheus/prometheus/cmd/promtool@$(PROMTOOL_VERSION) (once) ..."
	GOBIN=$(abspath $(TOOLS)/promtool-build) $(GO) install github.com/prometheus/prometheus/cmd/promtool@$(PROMTOOL_VERSION)
	@mkdir -p $(TOOLS)/bin
	mv $(TOOLS)/promtool-build/promtool $(TOOLS)/bin/promtool
	rmdir $(TOOLS)/promtool-build
	touch $@

$(CRD_SCHEMAS): tests/deploy/crd_schemas/package.json tests/deploy/crd_schemas/package-lock.json
	@mkdir -p $(TOOLS)/custom-resources
	cp tests/deploy/crd_schemas/package.json tests/deploy/crd_schemas/package-lock.json $(TOOLS)/custom-resources/
	cd $(TOOLS)/custom-resources && npm ci --no-audit --no-fund --loglevel=error

.PHONY: kafka-monitoring-tools kafka-monitoring-check
kafka-monitoring-tools: $(PROMTOOL_STAMP) $(CRD_SCHEMAS) ## promtool and the operators' schemas, for the Kafka and monitoring checks

kafka-monitoring-check: install kafka-monitoring-tools ## check the Kafka topics, users and ACLs, the monitors and the alert rules (offline)
	$(UV) run --frozen pytest tests/deploy/test_kafka_*.py tests/deploy/test_monitoring_*.py $(PYTEST_ARGS)
