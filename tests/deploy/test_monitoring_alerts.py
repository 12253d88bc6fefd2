"""Kinlink's alert rules (deploy/k8s/monitoring/alerts.yaml) are valid Prometheus rules that fire
when they should and not otherwise (promtool, tests/deploy/monitoring_rules.test.yaml), read
metrics the services really export, and each has its section in docs/operations.md."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import kinlink_kit.metrics
import yaml
from prometheus_client.metrics import MetricWrapperBase

from tests.deploy.custom_resources import MISSING_TOOLS
from tests.deploy.custom_resources import MONITORING
from tests.deploy.custom_resources import PROMTOOL
from tests.deploy.custom_resources import ROOT
from tests.deploy.custom_resources import of_kind
from tests.deploy.custom_resources import resources_of

RULE_TESTS = Path(__file__).resolve().parent / "monitoring_rules.test.yaml"
ALERTS_DOC = ROOT / "docs" / "operations.md"
# Each kind of sample a metric type is exported as.
SAMPLES = {"counter": ["_total"], "gauge": [""], "histogram": ["_bucket", "_count", "_sum"]}


def rule_groups() -> list[dict[str, Any]]:
    [rule] = of_kind(resources_of(MONITORING), "PrometheusRule")
    return rule["spec"]["groups"]  # type: ignore[no-any-return]


def alerts() -> list[dict[str, Any]]:
    return [r for group in rule_groups() for r in group["rules"] if "alert" in r]


def promtool(*args: str | Path) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL.exists(), MISSING_TOOLS
    return subprocess.run(
        [str(PROMTOOL), *map(str, args)], capture_output=True, text=True, check=False
    )


def kinlink_samples() -> set[str]:
    """Every sample name the kit's metrics are exported under."""
    return {
        f"{metric._name}{suffix}"
        for metric in vars(kinlink_kit.metrics).values()
        if isinstance(metric, MetricWrapperBase)
        for suffix in SAMPLES[metric._type]
    }


def test_promtool_accepts_the_rules(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(yaml.safe_dump({"groups": rule_groups()}))

    checked = promtool("check", "rules", rules)

    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_each_alert_fires_when_it_should_and_only_then(tmp_path: Path) -> None:
    # The annotations are left out here: promtool would compare their rendered text, which is
    # wording; `check rules` above parses their templates.
    groups = [
        {
            **group,
            "rules": [{k: v for k, v in r.items() if k != "annotations"} for r in group["rules"]],
        }
        for group in rule_groups()
    ]
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"groups": groups}))
    tests = yaml.safe_load(RULE_TESTS.read_text())
    (tmp_path / "tests.yaml").write_text(yaml.safe_dump({**tests, "rule_files": ["rules.yaml"]}))

    tested = promtool("test", "rules", tmp_path / "tests.yaml")

    assert tested.returncode == 0, tested.stdout + tested.stderr
    exercised = {t["alertname"] for case in tests["tests"] for t in case["alert_rule_test"]}
    assert exercised == {a["alert"] for a in alerts()}


def test_the_rules_read_only_metrics_the_services_export() -> None:
    used = {
        name
        for group in rule_groups()
        for rule in group["rules"]
        for name in re.findall(r"\bkinlink_[a-z_]+\b", rule["expr"])
    }
    assert used
    assert used <= kinlink_samples()


def test_every_alert_has_its_section_in_the_runbook() -> None:
    sections = re.findall(r"^### (Kinlink\w+)$", ALERTS_DOC.read_text(), flags=re.MULTILINE)
    assert sorted(sections) == sorted(a["alert"] for a in alerts())
    for alert in alerts():
        assert alert["labels"]["severity"] in ("warning", "critical")
        assert alert["annotations"]["runbook"] == f"docs/operations.md#{alert['alert'].lower()}"
