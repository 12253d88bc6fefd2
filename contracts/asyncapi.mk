# The AsyncAPI document of every topic and event (docs/asyncapi), generated from the contracts,
# and the official AsyncAPI 3.0 JSON Schema its test validates it against: npm's @asyncapi/specs,
# fetched once with the machine's npm, its hash checked, cached under .cache/tools.
# Included by the main Makefile.

ASYNCAPI_SPECS_VERSION := 6.11.1
ASYNCAPI_SPEC_SHA256 := d4571a420e6ffb7fcc7066c95a6db1202f299a3c51daa103d0706bf30f95e626
ASYNCAPI_SPEC := $(TOOLS)/asyncapi-specs/asyncapi-3.0.0.json

.PHONY: asyncapi asyncapi-spec

asyncapi: install ## regenerate the AsyncAPI document and its JSON Schemas in docs/asyncapi
	$(UV) run --frozen python -m kinlink_contracts.asyncapi write docs/asyncapi

asyncapi-spec: $(ASYNCAPI_SPEC) ## fetch the official AsyncAPI 3.0 JSON Schema the document is checked against

$(ASYNCAPI_SPEC):
	@mkdir -p $(dir $@)
	npm pack --silent --pack-destination $(dir $@) @asyncapi/specs@$(ASYNCAPI_SPECS_VERSION)
	tar -xzf $(dir $@)asyncapi-specs-$(ASYNCAPI_SPECS_VERSION).tgz -C $(dir $@) package/schemas/3.0.0.json
	echo "$(ASYNCAPI_SPEC_SHA256)  $(dir $@)package/schemas/3.0.0.json" | sha256sum -c --quiet -
	mv $(dir $@)package/schemas/3.0.0.json $@
	rm -rf $(dir $@)package $(dir $@)asyncapi-specs-$(ASYNCAPI_SPECS_VERSION).tgz
