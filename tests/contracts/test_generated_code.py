"""The gRPC code in contracts/src/kinlink is exactly what `make proto` generates."""

import filecmp
import subprocess
import sys
from pathlib import Path

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"


def test_generated_grpc_code_is_up_to_date(tmp_path: Path) -> None:
    protos = sorted(
        str(p.relative_to(CONTRACTS / "proto")) for p in CONTRACTS.glob("proto/**/*.proto")
    )
    assert protos, "no protos found"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "grpc_tools.protoc",
            "-I",
            "proto",
            f"--python_out={tmp_path}",
            f"--grpc_python_out={tmp_path}",
            f"--pyi_out={tmp_path}",
            *protos,
        ],
        cwd=CONTRACTS,
        check=True,
    )
    fresh = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.py*"))
    committed = sorted(
        p.relative_to(CONTRACTS / "src") for p in (CONTRACTS / "src" / "kinlink").rglob("*.py*")
    )
    assert fresh == committed, "generated files differ in name: run `make proto`"
    stale = [
        str(f) for f in fresh if not filecmp.cmp(tmp_path / f, CONTRACTS / "src" / f, shallow=False)
    ]
    assert stale == [], "run `make proto`"
