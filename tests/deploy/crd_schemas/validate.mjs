// Validates Kubernetes custom resources offline against their operators' schemas.
// Reads a JSON array of resources on stdin; prints one line per problem, "<kind>/<name>: <why>",
// and exits 1 when there is any. A kind without a schema here is a problem too: nothing passes
// unchecked.
import { readFileSync } from "node:fs";

const MODELS = {
  "kafka.strimzi.io/v1": "@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1",
  "monitoring.coreos.com/v1": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1",
};

const resources = JSON.parse(readFileSync(0, "utf8"));
const problems = [];
for (const resource of resources) {
  const where = `${resource.kind}/${resource.metadata?.name}`;
  const models = MODELS[resource.apiVersion];
  if (models === undefined) {
    problems.push(`${where}: no schema for ${resource.apiVersion}`);
    continue;
  }
  let model;
  try {
    model = (await import(`${models}/${resource.kind}`))[resource.kind];
  } catch {
    problems.push(`${where}: no schema for kind ${resource.kind} of ${resource.apiVersion}`);
    continue;
  }
  try {
    new model(resource).validate();
  } catch (error) {
    problems.push(`${where}: ${error.message}`);
  }
}
for (const problem of problems) console.log(problem);
process.exit(problems.length ? 1 : 0);
