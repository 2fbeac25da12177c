"""The layer rule of DESIGN.md: each app imports only the apps below it; sferum_api imports none of them."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FLOORS = {"classes": 0, "activation": 1, "chats": 2, "reports": 3}


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & {*FLOORS, "sferum_api"}


def code_files(app: str) -> list[Path]:
    return [path for path in (ROOT / app).rglob("*.py") if "tests" not in path.parts and "migrations" not in path.parts]


def test_each_app_imports_only_the_apps_below_it():
    upward = [
        f"{path.relative_to(ROOT)} imports {other}"
        for app, floor in FLOORS.items()
        for path in code_files(app)
        for other in imported_apps(path)
        if other in FLOORS and FLOORS[other] > floor
    ]
    assert upward == []


def test_the_adapter_imports_no_app_of_the_project():
    leaks = [
        f"{path.relative_to(ROOT)} imports {other}"
        for path in code_files("sferum_api")
        for other in imported_apps(path)
        if other in FLOORS
    ]
    assert leaks == []
