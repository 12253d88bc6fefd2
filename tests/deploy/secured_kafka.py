"""A private one-node Kafka that checks who its clients are and what they may do, as the
production cluster of deploy/k8s/kafka does: clients connect over TLS (a certificate signed by a
CA of its own, in `ca_file`), sign in with SCRAM-SHA-512, and the StandardAuthorizer allows only
what an ACL grants. Its users are made when its storage is formatted; `admin` may do everything
and grants the ACLs."""

from __future__ import annotations

import base64
import ipaddress
import ssl
import uuid
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin import NewTopic
from aiokafka.protocol.admin import CreateAclsRequest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.infra_script import infra_script

MECHANISM = "SCRAM-SHA-512"
ADMIN = "admin"
# Kafka's wire codes (org.apache.kafka.common.resource / acl).
RESOURCE_TYPES = {"topic": 2, "group": 3}
PATTERN_TYPES = {"literal": 3, "prefix": 4}
OPERATIONS = {"Read": 3, "Write": 4, "Describe": 8}
ALLOW = 3


def password_of(user: str) -> str:
    return f"{user}-password"


def certificate(
    subject: str, key: ec.EllipticCurvePrivateKey, issuer: tuple[str, ec.EllipticCurvePrivateKey]
) -> x509.Certificate:
    """A certificate for `subject`'s key, signed by `issuer` (its own name and key for a CA)."""
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer[0])]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
    )
    if subject == issuer[0]:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=0), True)
    else:
        address = ipaddress.ip_address(infra_script.HOST)
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(address)]), False
        )
    return builder.sign(issuer[1], hashes.SHA256())


class SecuredKafka:
    def __init__(self, home: Path, port: int, controller_port: int, users: list[str]) -> None:
        self.home, self.port, self.controller_port = home, port, controller_port
        self.users = [ADMIN, *users]
        self.log, self.pid_file = home / "kafka.log", home / "kafka.pid"
        self.bootstrap = f"{infra_script.HOST}:{port}"
        self.ca_file = home / "ca.pem"

    def client_security(self, user: str) -> dict[str, object]:
        """What an aiokafka client of this broker needs to connect and sign in as `user`."""
        return {
            "security_protocol": "SASL_SSL",
            "ssl_context": ssl.create_default_context(cafile=self.ca_file),
            "sasl_mechanism": MECHANISM,
            "sasl_plain_username": user,
            "sasl_plain_password": password_of(user),
        }

    def start(self) -> None:
        infra_script.LOGS.mkdir(parents=True, exist_ok=True)
        infra_script.fetch_kafka_jars()
        self._write_config()
        self._make_certificates()
        self._format()
        broker = infra_script.kafka_java(
            "kafka.Kafka", str(self.home / "server.properties"), heap=("-Xmx384m",)
        )
        pid = infra_script.spawn(broker, self.log, self.pid_file, self.home)
        infra_script.wait_until(
            "secured kafka",
            self.bootstrap,
            lambda: infra_script.kafka_ready(self.port, self.log),
            lambda: infra_script.process_alive(pid, "kafka.Kafka"),
            infra_script.START_TIMEOUT["kafka"],
            self.log,
        )

    def stop(self) -> None:
        infra_script.stop_process("secured kafka", self.pid_file, "kafka.Kafka", grace=30.0)

    def _write_config(self) -> None:
        """The local broker's configuration, its listener then made to sign clients in and its
        authorizer switched on (a later key overrides an earlier one in a properties file)."""
        infra_script.write_kafka_config(
            self.home, self.port, self.controller_port, auto_create_topics=False
        )
        host = infra_script.HOST
        jaas = (
            "org.apache.kafka.common.security.scram.ScramLoginModule required "
            f'username="{ADMIN}" password="{password_of(ADMIN)}";'
        )
        secured = {
            "listeners": f"SASL_SSL://{host}:{self.port},CONTROLLER://{host}:{self.controller_port}",
            "advertised.listeners": f"SASL_SSL://{host}:{self.port}",
            "inter.broker.listener.name": "SASL_SSL",
            "listener.security.protocol.map": "SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT",
            "ssl.keystore.type": "PEM",
            "ssl.keystore.location": str(self.home / "broker.pem"),
            "ssl.truststore.type": "PEM",
            "ssl.truststore.location": str(self.ca_file),
            "sasl.enabled.mechanisms": MECHANISM,
            "sasl.mechanism.inter.broker.protocol": MECHANISM,
            "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config": jaas,
            "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            # The controller listener is local and unauthenticated: only the node itself uses it.
            "super.users": f"User:{ADMIN};User:ANONYMOUS",
            "allow.everyone.if.no.acl.found": "false",
        }
        with (self.home / "server.properties").open("a") as config:
            config.writelines(f"{key}={value}\n" for key, value in secured.items())

    def _make_certificates(self) -> None:
        """A CA, and the broker's key and certificate (for 127.0.0.1) as Kafka reads PEM."""
        ca_key, broker_key = (
            ec.generate_private_key(ec.SECP256R1()),
            ec.generate_private_key(ec.SECP256R1()),
        )
        ca = certificate("kinlink test CA", ca_key, ("kinlink test CA", ca_key))
        broker = certificate("broker", broker_key, ("kinlink test CA", ca_key))
        pem = serialization.Encoding.PEM
        self.ca_file.write_bytes(ca.public_bytes(pem))
        (self.home / "broker.pem").write_bytes(
            broker_key.private_bytes(
                pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            + broker.public_bytes(pem)
        )

    def _format(self) -> None:
        cluster_id = "k" + base64.urlsafe_b64encode(uuid.uuid4().bytes).decode()[:21]
        scram = [
            arg
            for user in self.users
            for arg in ("--add-scram", f"{MECHANISM}=[name={user},password={password_of(user)}]")
        ]
        infra_script.run_logged(
            "secured kafka",
            "formatting storage with its users",
            infra_script.kafka_java(
                "kafka.tools.StorageTool",
                "format",
                "-t",
                cluster_id,
                "-c",
                str(self.home / "server.properties"),
                *scram,
            ),
            self.home / "format.log",
            60.0,
            cwd=self.home,
        )

    async def prepare(
        self, topics: list[str], grants: list[tuple[str, str, str, str, str]]
    ) -> None:
        """Create `topics` and grant each (user, resource type, name, pattern, operation)."""
        admin = AIOKafkaAdminClient(
            bootstrap_servers=self.bootstrap,
            **self.client_security(ADMIN),
        )
        await admin.start()
        try:
            await admin.create_topics([NewTopic(t, 1, 1) for t in topics])
            for user, kind, name, pattern, operation in grants:
                # aiokafka's admin client has no ACL call; the request is Kafka's own.
                request = CreateAclsRequest(
                    RESOURCE_TYPES[kind],
                    name,
                    PATTERN_TYPES[pattern],
                    f"User:{user}",
                    "*",
                    OPERATIONS[operation],
                    ALLOW,
                )
                response = await admin._send_request(request)
                [(error_code, error)] = response.creation_responses
                assert error_code == 0, f"ACL {user} {operation} {kind} {name} refused: {error}"
        finally:
            await admin.close()
