"""The SMS gateway keeps reply pictures under KINLINK_DATA_DIR on its /tmp emptyDir: the volume
must hold the folder's bound and a picture being written, or the kubelet evicts the pod."""

from __future__ import annotations

import pytest
from kinlink_contracts.facility_settings import ImageRules
from kinlink_sms.adapters.picture_folder import DEFAULT_MAX_BYTES

from tests.deploy.manifests import OVERLAYS
from tests.deploy.manifests import named
from tests.deploy.manifests import overlay

UNITS = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30}


def quantity_bytes(quantity: str) -> int:
    unit = quantity[-2:]
    return int(quantity[:-2]) * UNITS[unit] if unit in UNITS else int(quantity)


@pytest.mark.parametrize("overlay_name", OVERLAYS)
def test_the_gateways_scratch_volume_holds_its_pictures(overlay_name: str) -> None:
    deployment = named(overlay(overlay_name), "Deployment", "sms-gateway")
    pod = deployment["spec"]["template"]["spec"]
    [server] = [c for c in pod["containers"] if c["name"] == "server"]
    [mount] = [m for m in server["volumeMounts"] if m["mountPath"] == "/tmp"]
    [volume] = [v for v in pod["volumes"] if v["name"] == mount["name"]]
    largest_picture = ImageRules().max_bytes
    assert quantity_bytes(volume["emptyDir"]["sizeLimit"]) > DEFAULT_MAX_BYTES + 2 * largest_picture
