"""deploy/k8s as kustomize renders it: what `kubectl apply -k` would send, overlay by overlay.

kustomize is built at make time into .cache/tools/bin (deploy/k8s/manifests.mk); a test run
without it fails, naming the target that builds it.
"""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
KUSTOMIZE = ROOT / ".cache" / "tools" / "bin" / "kustomize"
OVERLAYS = ("dev", "prod")

Doc = dict[str, Any]


def load_yaml(path: Path) -> list[Doc]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def kustomization(directory: Path) -> Doc:
    (doc,) = load_yaml(directory / "kustomization.yaml")
    return doc


@functools.cache
def rendered(directory: Path) -> tuple[Doc, ...]:
    """The objects `kustomize build directory` makes, in its order."""
    assert KUSTOMIZE.exists(), f"{KUSTOMIZE} is missing: `make manifests-check` builds it"
    out = subprocess.run(
        [str(KUSTOMIZE), "build", str(directory)], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, f"kustomize build {directory.relative_to(ROOT)}: {out.stderr}"
    return tuple(doc for doc in yaml.safe_load_all(out.stdout) if doc)


def overlay(name: str) -> tuple[Doc, ...]:
    return rendered(K8S / "overlays" / name)


def of_kind(docs: tuple[Doc, ...] | list[Doc], kind: str) -> list[Doc]:
    return [doc for doc in docs if doc["kind"] == kind]


def named(docs: tuple[Doc, ...] | list[Doc], kind: str, name: str) -> Doc:
    (doc,) = [d for d in of_kind(docs, kind) if d["metadata"]["name"] == name]
    return doc
