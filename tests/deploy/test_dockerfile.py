"""The container build, checked without a container tool (none runs where the tests do): every
image has its target, installs its own package from the lock and nothing else's, runs as uid 1000
on a read-only root filesystem through the exec-form `kinlink-service`, and carries no secret."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import tomllib
from dataclasses import dataclass
from dataclasses import field
from functools import cache
from pathlib import Path

import pytest
from kinlink_commissary.bootstrap import CommissarySettings
from kinlink_identity.bootstrap import IdentitySettings
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_messaging.bootstrap import MessagingSettings
from kinlink_portal.settings import PortalSettings
from kinlink_sms.bootstrap import SmsSettings
from kinlink_visitation.bootstrap import VisitationSettings
from pydantic_settings import BaseSettings

from tests.conftest import ROOT

DOCKERFILE = ROOT / "deploy" / "docker" / "Dockerfile"
IGNORE_FILE = DOCKERFILE.with_name("Dockerfile.dockerignore")

# Each image's target: the workspace member it installs, and the settings its process reads.
TARGETS: dict[str, tuple[str, type[BaseSettings]]] = {
    "identity": ("services/identity", IdentitySettings),
    "ledger": ("services/ledger", LedgerSettings),
    "messaging": ("services/messaging", MessagingSettings),
    "sms-gateway": ("services/sms-gateway", SmsSettings),
    "commissary": ("services/commissary", CommissarySettings),
    "visitation": ("services/visitation", VisitationSettings),
    "portal": ("portal", PortalSettings),
}
SHARED_SOURCES = {"contracts/", "kit/"}
SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|KEY|DSN|CREDENTIAL|PRIVATE", re.IGNORECASE)


@dataclass
class Instruction:
    keyword: str
    value: str

    def words(self) -> list[str]:
        return shlex.split(self.value)


@dataclass
class Stage:
    name: str
    base: str
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]


@dataclass
class Dockerfile:
    args: dict[str, str]  # the ARGs before the first FROM, with their defaults
    stages: dict[str, Stage]

    def chain(self, name: str) -> list[Stage]:
        """The stage and those it is built FROM, nearest first."""
        stages = [self.stages[name]]
        while stages[-1].base in self.stages:
            stages.append(self.stages[stages[-1].base])
        return stages

    def last(self, name: str, keyword: str) -> Instruction | None:
        """The instruction in force in the image of stage `name` (its own or inherited)."""
        for stage in self.chain(name):
            if found := stage.all(keyword):
                return found[-1]
        return None

    def env(self, name: str) -> dict[str, str]:
        """The ENV of the image of stage `name`, inherited ones included."""
        values: dict[str, str] = {}
        for stage in reversed(self.chain(name)):
            for word in (w for instruction in stage.all("ENV") for w in instruction.words()):
                name, _, value = word.partition("=")
                values[name] = value
        return values


def parse(text: str) -> Dockerfile:
    """Instructions with their continuation lines joined; comments dropped (as the builder does,
    also between continued lines)."""
    logical: list[str] = []
    pending = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        logical.append(pending + stripped)
        pending = ""
    assert not pending, "the Dockerfile ends in a continued line"
    args: dict[str, str] = {}
    stages: dict[str, Stage] = {}
    current: Stage | None = None
    for line in logical:
        keyword, _, value = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            words = value.split()
            assert len(words) == 3 and words[1].upper() == "AS", f"unnamed stage: {line}"
            current = stages.setdefault(words[2], Stage(words[2], words[0]))
        elif current is None:
            assert keyword == "ARG", f"only ARG may come before the first FROM: {line}"
            name, _, default = value.partition("=")
            args[name] = default
        else:
            current.instructions.append(Instruction(keyword, value.strip()))
    return Dockerfile(args, stages)


@cache
def dockerfile() -> Dockerfile:
    return parse(DOCKERFILE.read_text())


def member_dirs() -> list[str]:
    """Every workspace member's folder, from the root pyproject's globs."""
    workspace = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["uv"]["workspace"]
    return sorted(
        str(path.parent.relative_to(ROOT))
        for pattern in workspace["members"]
        for path in ROOT.glob(f"{pattern}/pyproject.toml")
    )


def project(member: str) -> dict[str, object]:
    return tomllib.loads((ROOT / member / "pyproject.toml").read_text())["project"]  # type: ignore[no-any-return]


def copied_sources(stage: Stage) -> set[str]:
    """What the stage copies from the build context (not from other stages)."""
    return {
        source
        for i in stage.all("COPY")
        if not i.value.startswith("--from")
        for source in i.words()[:-1]
    }


def ignore_patterns() -> list[str]:
    lines = (line.strip() for line in IGNORE_FILE.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def test_every_image_has_its_target_and_every_service_an_image() -> None:
    services = {d.removeprefix("services/") for d in member_dirs() if d.startswith("services/")}
    assert services | {"portal"} == set(TARGETS), "a service without an image, or the reverse"
    for target in TARGETS:
        assert target in dockerfile().stages, f"no `--target {target}`"


def test_every_workspace_member_is_copied_before_the_lock_is_read() -> None:
    """uv refuses a lock whose workspace members it cannot all read."""
    copied = copied_sources(dockerfile().stages["build"])
    expected = {"pyproject.toml", "uv.lock"} | {f"{d}/pyproject.toml" for d in member_dirs()}
    assert expected <= copied, sorted(expected - copied)


@pytest.mark.parametrize("target", TARGETS)
def test_an_image_installs_its_own_package_from_the_lock_and_no_other(target: str) -> None:
    member, _ = TARGETS[target]
    package = project(member)
    image = dockerfile().stages[target]
    sources = [i.value.split()[0].removeprefix("--from=") for i in image.all("COPY")]
    assert sources == [f"{target}-venv"], "the image holds its own venv and nothing else"
    venv = dockerfile().stages[f"{target}-venv"]
    assert venv.base == "build"
    syncs = [i.value for i in venv.all("RUN") if "uv sync" in i.value]
    assert syncs and all(
        f"--package {package['name']}" in s and "--frozen" in s and "--no-dev" in s for s in syncs
    ), syncs
    assert "--no-editable" in syncs[-1], "installed as wheels: the image needs no source tree"
    assert copied_sources(venv) == SHARED_SOURCES | {f"{member}/"}, "only its own sources"
    scripts = package["scripts"]
    assert isinstance(scripts, dict)
    (script,) = scripts
    assert f"ln -s {script} /app/.venv/bin/kinlink-service" in syncs[-1]


@pytest.mark.parametrize("target", TARGETS)
def test_an_image_runs_kinlink_service_as_uid_1000_in_exec_form(target: str) -> None:
    entrypoint = dockerfile().last(target, "ENTRYPOINT")
    assert entrypoint is not None
    assert json.loads(entrypoint.value) == ["/app/.venv/bin/kinlink-service"], "exec form"
    user = dockerfile().last(target, "USER")
    assert user is not None and user.value == "1000:1000"


@pytest.mark.parametrize("target", TARGETS)
def test_an_image_writes_nothing_outside_tmp(target: str) -> None:
    """Its root filesystem is read-only: bytecode compiled at build, data under /tmp."""
    env = dockerfile().env(target)
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"
    if "data_dir" in TARGETS[target][1].model_fields:  # the portal writes nothing
        assert env["KINLINK_DATA_DIR"].startswith("/tmp/")
    assert dockerfile().env(f"{target}-venv")["UV_COMPILE_BYTECODE"] == "1"


@pytest.mark.parametrize("target", TARGETS)
def test_an_image_sets_only_settings_its_process_reads_and_exposes_its_ports(target: str) -> None:
    _, settings = TARGETS[target]
    env = dockerfile().env(target)
    kinlink = {name: value for name, value in env.items() if name.startswith("KINLINK_")}
    unknown = [
        n for n in kinlink if n.removeprefix("KINLINK_").lower() not in settings.model_fields
    ]
    assert not unknown, f"{settings.__name__} has no {unknown}"
    assert all(value != "127.0.0.1" for n, value in kinlink.items() if n.endswith("_HOST"))
    ports = {value for name, value in kinlink.items() if name.endswith("_PORT")}
    exposed = {
        port
        for stage in dockerfile().chain(target)
        for i in stage.all("EXPOSE")
        for port in i.words()
    }
    assert ports and ports == exposed


def test_no_secret_is_baked_into_an_image() -> None:
    names = list(dockerfile().args)
    for stage in dockerfile().stages.values():
        names += [i.words()[0].split("=")[0] for i in stage.all("ARG")]
        names += [word.split("=")[0] for i in stage.all("ENV") for word in i.words()]
    assert names and not [name for name in names if SECRET_NAME.search(name)]
    assert {"**/.env", ".infra.env", ".git", ".venv"} <= set(ignore_patterns()), (
        "local secrets and state stay out of the build context"
    )


def test_the_base_image_is_one_build_argument_that_can_be_pinned_by_digest() -> None:
    """Stages start FROM each other or FROM ${PYTHON_IMAGE}: one image for building and running
    (a venv's python is a link to the base image's interpreter), pinnable with
    `--build-arg PYTHON_IMAGE=python:3.11-slim@sha256:...`."""
    external = {s.base for s in dockerfile().stages.values() if s.base not in dockerfile().stages}
    assert external == {"${PYTHON_IMAGE}"}
    assert re.fullmatch(r"python:3\.11[\w.-]*", dockerfile().args["PYTHON_IMAGE"])


def test_the_parser_reads_continued_lines_and_inherited_instructions() -> None:
    parsed = parse(
        "ARG BASE=python:3.11-slim\n"
        "FROM ${BASE} AS runtime\n"
        "ENV A=1 \\\n"
        "    # a comment between continued lines\n"
        "    B=2\n"
        "USER 1000:1000\n"
        "FROM runtime AS app\n"
        "ENV B=3\n"
    )
    assert parsed.env("app") == {"A": "1", "B": "3"}
    assert parsed.last("app", "USER") == Instruction("USER", "1000:1000")
    assert parsed.last("app", "ENTRYPOINT") is None


def test_make_images_builds_every_target() -> None:
    makefile = (ROOT / "deploy" / "docker" / "images.mk").read_text()
    (line,) = [line for line in makefile.splitlines() if line.startswith("IMAGE_TARGETS :=")]
    assert line.split(":=")[1].split() == list(TARGETS)


def test_make_images_without_a_container_tool_says_so_and_fails() -> None:
    done = subprocess.run(
        ["make", "--no-print-directory", "images", "CONTAINER_TOOL="],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "no container tool here" in done.stderr


def test_the_build_reads_only_what_the_ignore_file_lets_through() -> None:
    """Everything the Dockerfile copies is in the context: none of it is ignored."""
    copied = {source for s in dockerfile().stages.values() for source in copied_sources(s)}
    assert copied
    for source in copied:
        top = Path(source).parts[0]
        assert not any(Path(top).match(pattern) for pattern in ignore_patterns()), source
