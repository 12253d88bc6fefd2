"""The gRPC code in contracts/src/kinlink is exactly what `make proto` generates."""

import filecmp
import subprocess
import sys
from pathlib import Path

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"


def generated_files(root: Path) -> list[Path]:
    return sorted(
        p.relative_to(root) for p in root.glob("kinlink/**/*") if p.suffix in {".py", ".pyi"}
    )


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
    fresh = generated_files(tmp_path)
    committed = generated_files(CONTRACTS / "src")
    assert fresh == committed, "generated files differ in name: run `make proto`"
    stale = [
        str(f) for f in fresh if not filecmp.cmp(tmp_path / f, CONTRACTS / "src" / f, shallow=False)
    ]
    assert stale == [], "run `make proto`"
