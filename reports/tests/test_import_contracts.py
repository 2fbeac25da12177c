"""The import rules of DESIGN.md, kept by import-linter's contracts in pyproject.toml (also run by `make lint`)."""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["classes", "activation", "chats", "reports"]
LINT_IMPORTS = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


def contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    return {contract["type"]: contract for contract in config["contracts"]}


def test_the_contracts_state_the_layers_the_adapter_and_no_cycles():
    # given the contracts of pyproject.toml
    declared = contracts()

    # then the apps are layered top to bottom, the adapter imports none of them, no app has a cycle
    assert declared["layers"]["layers"] == ["reports", "chats", "activation", "classes"]
    assert set(declared["forbidden"]["source_modules"]) == {"sferum_api"}
    assert set(APPS) <= set(declared["forbidden"]["forbidden_modules"])
    assert {*APPS, "sferum_api"} <= set(declared["acyclic_siblings"]["ancestors"])


def test_the_code_keeps_every_import_contract():
    # when import-linter checks the project
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", LINT_IMPORTS, "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    # then every contract is kept
    assert result.returncode == 0, result.stdout + result.stderr
