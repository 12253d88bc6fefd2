"""The private broker of `secured_kafka` with a second listener where clients sign in over TLS
(SASL_SSL), as the production cluster's port 9093 does: its certificate is signed by a CA made
here, whose certificate the clients are given as the cluster CA Secret gives it to the pods."""

from __future__ import annotations

import datetime
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.deploy.secured_kafka import ADMIN
from tests.deploy.secured_kafka import SecuredKafka
from tests.deploy.secured_kafka import password_of
from tests.infra_script import infra_script

# The broker's certificate is valid from a fixed moment long ago for a century: nothing here
# depends on today's date.
NOT_BEFORE = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
NOT_AFTER = datetime.datetime(2120, 1, 1, tzinfo=datetime.UTC)


def _certificate(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: tuple[str, ec.EllipticCurvePrivateKey] | None = None,
) -> x509.Certificate:
    """A CA's certificate signed by itself, or (given its issuer) the broker's for HOST."""
    issuer_name, signing_key = issuer or (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOT_BEFORE)
        .not_valid_after(NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
    )
    if issuer is not None:
        host = x509.IPAddress(ipaddress.ip_address(infra_script.HOST))
        builder = builder.add_extension(x509.SubjectAlternativeName([host]), critical=False)
    return builder.sign(signing_key, hashes.SHA256())


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def ca_pem(name: str) -> bytes:
    """The certificate of a new CA called `name` (its key thrown away)."""
    return _pem(_certificate(name, ec.generate_private_key(ec.SECP256R1())))


class TlsKafka(SecuredKafka):
    """Admin work (topics, ACLs) goes through the plain listener of `SecuredKafka`; the
    services under test use `tls_bootstrap`, trusting `ca_file`."""

    def __init__(
        self, home: Path, port: int, tls_port: int, controller_port: int, users: list[str]
    ) -> None:
        super().__init__(home, port, controller_port, users)
        self.tls_port = tls_port
        self.tls_bootstrap = f"{infra_script.HOST}:{tls_port}"
        self.ca_file = home / "ca.crt"
        self.other_ca_file = home / "other-ca.crt"

    def _write_config(self) -> None:
        super()._write_config()
        ca_key, broker_key = (ec.generate_private_key(ec.SECP256R1()) for _ in "ab")
        ca = _certificate("kinlink-test-cluster-ca", ca_key)
        broker = _certificate("kafka", broker_key, issuer=("kinlink-test-cluster-ca", ca_key))
        self.ca_file.write_bytes(_pem(ca))
        # A CA the broker's certificate was not signed by: a client trusting it must refuse.
        self.other_ca_file.write_bytes(ca_pem("some-other-ca"))
        keystore = self.home / "broker.pem"
        keystore.write_bytes(
            broker_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            + _pem(broker)
            + _pem(ca)
        )
        host = infra_script.HOST
        jaas = (
            "org.apache.kafka.common.security.scram.ScramLoginModule required "
            f'username="{ADMIN}" password="{password_of(ADMIN)}";'
        )
        tls = {
            "listeners": f"SASL_PLAINTEXT://{host}:{self.port},SASL_SSL://{host}:{self.tls_port},"
            f"CONTROLLER://{host}:{self.controller_port}",
            "advertised.listeners": f"SASL_PLAINTEXT://{host}:{self.port},"
            f"SASL_SSL://{host}:{self.tls_port}",
            "listener.security.protocol.map": "SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL,"
            "CONTROLLER:PLAINTEXT",
            "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config": jaas,
            "ssl.keystore.type": "PEM",
            "ssl.keystore.location": str(keystore),
            "ssl.truststore.type": "PEM",
            "ssl.truststore.location": str(self.ca_file),
        }
        with (self.home / "server.properties").open("a") as config:
            config.writelines(f"{key}={value}\n" for key, value in tls.items())
