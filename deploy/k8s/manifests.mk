# The Kubernetes manifests' offline check: kustomize renders every overlay, and the tests under
# tests/deploy validate what it renders (kubernetes-validate's schemas, the coverage, the network
# policies). Included by the main Makefile; `make test` builds kustomize first.

KUSTOMIZE_VERSION := v5.8.1
KUSTOMIZE := $(TOOLS)/bin/kustomize
KUSTOMIZE_STAMP := $(TOOLS)/kustomize-$(KUSTOMIZE_VERSION).stamp

# Built once with the machine's Go (about 20 seconds), the stamp naming the version built.
$(KUSTOMIZE_STAMP): | $(UV)
	GOBIN=$(abspath $(TOOLS)/kustomize-build) $(GO) install sigs.k8s.io/kustomize/kustomize/v5@$(KUSTOMIZE_VERSION)
	mv $(TOOLS)/kustomize-build/kustomize $(KUSTOMIZE)
	rmdir $(TOOLS)/kustomize-build
	touch $@

.PHONY: manifests-check
manifests-check: install $(KUSTOMIZE_STAMP) ## render deploy/k8s's overlays with kustomize and validate them offline
	$(UV) run --frozen pytest tests/deploy -p no:randomly -q $(PYTEST_ARGS)
