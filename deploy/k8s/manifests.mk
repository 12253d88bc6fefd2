# The Kubernetes manifests' offline check: kustomize renders every overlay, and the tests below
# validate what it renders (kubernetes-validate's schemas, the workloads, the coverage, the
# network policies). Included by the main Makefile; `make test` builds kustomize and runs them
# with every other test.

KUSTOMIZE_VERSION := v5.8.1
KUSTOMIZE := $(TOOLS)/bin/kustomize
KUSTOMIZE_STAMP := $(TOOLS)/kustomize-$(KUSTOMIZE_VERSION).stamp
MANIFESTS_TESTS := tests/deploy/test_workloads.py tests/deploy/test_manifests_schema.py \
  tests/deploy/test_manifests_coverage.py tests/deploy/test_network_policies.py

# Built once with the machine's Go (about 20 seconds), the stamp naming the version built.
$(KUSTOMIZE_STAMP): | $(UV)
	GOBIN=$(abspath $(TOOLS)/kustomize-build) $(GO) install sigs.k8s.io/kustomize/kustomize/v5@$(KUSTOMIZE_VERSION)
	mv $(TOOLS)/kustomize-build/kustomize $(KUSTOMIZE)
	rmdir $(TOOLS)/kustomize-build
	touch $@

.PHONY: manifests-check
manifests-check: install $(KUSTOMIZE_STAMP) ## render deploy/k8s's overlays with kustomize and validate them offline
	$(UV) run --frozen pytest $(MANIFESTS_TESTS) -q $(PYTEST_ARGS)
