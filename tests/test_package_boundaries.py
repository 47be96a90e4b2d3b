"""Who imports whom: `commerce` and `voice` import nothing else of ours, `dialogue` imports
`commerce`, `device` imports those three, and only `voxcart` (the command's composition root)
imports them all. Checked on the source, every module of each package, so a command moved
into the wrong package's `cli.py` fails here."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OURS = {"commerce", "dialogue", "voice", "device", "voxcart"}
MAY_IMPORT = {
    "commerce": {"commerce"},
    "voice": {"voice"},
    "dialogue": {"dialogue", "commerce"},
    "device": {"device", "voice", "dialogue", "commerce"},
}
ALLOWED: set[tuple[str, str]] = set()  # (module, package) exceptions: none


def imported_packages(path: Path) -> set[str]:
    """Our top-level packages a module imports, anywhere in it (lazy imports included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue  # relative imports stay inside the package
        found |= {name.split(".")[0] for name in names} & OURS
    return found


def crossings() -> list[str]:
    found = []
    for package, allowed in MAY_IMPORT.items():
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            for other in sorted(imported_packages(path) - allowed):
                if (relative, other) not in ALLOWED:
                    found.append(f"{relative} imports {other}")
    return found


def test_packages_import_only_what_they_may() -> None:
    assert crossings() == []


def test_a_command_in_the_wrong_package_is_found(tmp_path: Path) -> None:
    module = tmp_path / "cli.py"
    module.write_text("def cmd() -> None:\n    from device.audio_io import list_devices\n")
    assert imported_packages(module) == {"device"}


def test_every_cli_module_is_checked() -> None:
    checked = {
        p.relative_to(ROOT).as_posix() for pkg in MAY_IMPORT for p in (ROOT / pkg).rglob("*.py")
    }
    assert {f"{package}/cli.py" for package in MAY_IMPORT} <= checked


def test_the_command_starts_without_the_dialogue_engine() -> None:
    """Building the parser imports every package's commands; none may load Rasa on the way
    (`voxcart --help` and the store commands start fast)."""
    heavy = ("rasa", "tensorflow", "vosk", "uvicorn")
    probe = (
        "import sys, voxcart.cli; voxcart.cli.build_parser(); "
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "[]"
