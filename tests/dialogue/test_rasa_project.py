"""The Rasa project stays a standard one: Rasa's own CLI validates it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dialogue.training import PROJECT_DIR


def test_rasa_data_validate_passes_without_warnings() -> None:
    rasa = Path(sys.executable).parent / "rasa"
    result = subprocess.run(
        [str(rasa), "data", "validate", "--fail-on-warnings"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        env={"RASA_TELEMETRY_ENABLED": "false", "PATH": str(rasa.parent)},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
