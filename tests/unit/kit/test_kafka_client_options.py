"""KINLINK_KAFKA_* settings: what a process refuses before it reaches Kafka, and the aiokafka
arguments every Kafka client of it is given (signing in itself is proven on a broker in
tests/deploy)."""

from __future__ import annotations

import re
import ssl
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from kinlink_kit.bus import kafka_client_options
from kinlink_kit.runtime import service_bus
from kinlink_kit.settings import ServiceSettings
from pydantic import ValidationError

from tests.deploy.secured_kafka import certificate


def settings_from(monkeypatch: pytest.MonkeyPatch, **environment: str) -> ServiceSettings:
    for name, value in environment.items():
        monkeypatch.setenv(f"KINLINK_KAFKA_{name.upper()}", value)
    return ServiceSettings()


def test_plaintext_by_default_with_nothing_to_sign_in_with() -> None:
    assert kafka_client_options(ServiceSettings()) == {"security_protocol": "PLAINTEXT"}


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ({"password": "secret"}, "KINLINK_KAFKA_USERNAME"),
        ({"username": "ledger"}, "KINLINK_KAFKA_PASSWORD"),
    ],
)
@pytest.mark.parametrize("protocol", ["SASL_SSL", "SASL_PLAINTEXT"])
def test_sasl_without_a_user_or_password_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, protocol: str, given: dict[str, str], missing: str
) -> None:
    monkeypatch.setenv("KINLINK_KAFKA_BOOTSTRAP", "kafka:9093")
    settings = settings_from(monkeypatch, security_protocol=protocol, **given)
    with pytest.raises(ValueError, match=f"{missing} is not set"):
        service_bus(settings)  # as a service starts, before it reaches for Kafka


def test_an_unknown_protocol_or_mechanism_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError, match="kafka_security_protocol"):
        settings_from(monkeypatch, security_protocol="TLS")
    with pytest.raises(ValidationError, match="kafka_sasl_mechanism"):
        settings_from(monkeypatch, sasl_mechanism="GSSAPI")


def test_sasl_ssl_signs_in_as_the_user_trusting_the_ca(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ca_file = tmp_path / "ca.crt"
    key = ec.generate_private_key(ec.SECP256R1())
    ca = certificate("kinlink-test-ca", key, ("kinlink-test-ca", key))
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    settings = settings_from(
        monkeypatch,
        security_protocol="SASL_SSL",
        sasl_mechanism="SCRAM-SHA-256",
        username="ledger",
        password="the-ledger-password",
        ca_file=str(ca_file),
    )
    options = kafka_client_options(settings)
    context = options.pop("ssl_context")
    assert options == {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-256",
        "sasl_plain_username": "ledger",
        "sasl_plain_password": "the-ledger-password",
    }
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    [trusted] = context.get_ca_certs()
    assert dict(trusted["subject"][0])["commonName"] == "kinlink-test-ca"


def test_the_password_is_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_from(
        monkeypatch, security_protocol="SASL_PLAINTEXT", username="ledger", password="hunter2"
    )
    assert "hunter2" not in repr(settings) and "hunter2" not in str(settings.model_dump())


def test_a_ca_file_that_is_not_there_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = settings_from(monkeypatch, security_protocol="SSL", ca_file=str(tmp_path / "no.crt"))
    missing = re.escape(f"KINLINK_KAFKA_CA_FILE: no file at {tmp_path / 'no.crt'}")
    with pytest.raises(ValueError, match=missing):
        kafka_client_options(settings)
