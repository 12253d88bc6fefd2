"""A private one-node Kafka that checks who its clients are and what they may do, as the
production cluster of deploy/k8s/kafka does: clients sign in with SCRAM-SHA-512 and the
StandardAuthorizer allows only what an ACL grants. Its users are made when its storage is
formatted; `admin` may do everything and grants the ACLs."""

from __future__ import annotations

import base64
import uuid
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin import NewTopic
from aiokafka.protocol.admin import CreateAclsRequest

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


def client_security(user: str) -> dict[str, str]:
    """What an aiokafka client of this broker needs to sign in as `user`."""
    return {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": MECHANISM,
        "sasl_plain_username": user,
        "sasl_plain_password": password_of(user),
    }


class SecuredKafka:
    def __init__(self, home: Path, port: int, controller_port: int, users: list[str]) -> None:
        self.home, self.port, self.controller_port = home, port, controller_port
        self.users = [ADMIN, *users]
        self.log, self.pid_file = home / "kafka.log", home / "kafka.pid"
        self.bootstrap = f"{infra_script.HOST}:{port}"

    def start(self) -> None:
        infra_script.LOGS.mkdir(parents=True, exist_ok=True)
        infra_script.fetch_kafka_jars()
        self._write_config()
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
            "listeners": f"SASL_PLAINTEXT://{host}:{self.port},"
            f"CONTROLLER://{host}:{self.controller_port}",
            "advertised.listeners": f"SASL_PLAINTEXT://{host}:{self.port}",
            "inter.broker.listener.name": "SASL_PLAINTEXT",
            "listener.security.protocol.map": "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
            "sasl.enabled.mechanisms": MECHANISM,
            "sasl.mechanism.inter.broker.protocol": MECHANISM,
            "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config": jaas,
            "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            # The controller listener is local and unauthenticated: only the node itself uses it.
            "super.users": f"User:{ADMIN};User:ANONYMOUS",
            "allow.everyone.if.no.acl.found": "false",
        }
        with (self.home / "server.properties").open("a") as config:
            config.writelines(f"{key}={value}\n" for key, value in secured.items())

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
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap, **client_security(ADMIN))
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
