"""The voice commands as a user runs them: clear one-line errors, no tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent / "voxcart"


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def test_listen_without_a_speech_model_says_how_to_fix_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'v.db'}"
    assert run("db", "upgrade", "--database-url", url).returncode == 0
    wav = tmp_path / "in.wav"
    subprocess.run(["espeak-ng", "-w", str(wav), "two croissants"], check=True)
    result = run(
        "listen",
        str(wav),
        "--database-url",
        url,
        env={"VOXCART_MODELS_DIR": str(tmp_path / "models")},
    )
    assert result.returncode == 1
    assert "voxcart models pull small-en-us" in result.stderr
    assert "Traceback" not in result.stderr


def test_listen_answers_a_spoken_file(tmp_path: Path, korean_model_dir: Path) -> None:
    """IN.wav -> Vosk -> the trained assistant -> OUT.wav, headless."""
    from voice.audio import level_dbfs, read_wav

    url = f"sqlite:///{tmp_path / 'v.db'}"
    assert run("db", "upgrade", "--database-url", url).returncode == 0
    wav, reply = tmp_path / "in.wav", tmp_path / "out.wav"
    subprocess.run(
        ["espeak-ng", "-v", "ko", "-w", str(wav), "우유 두 개 주문해 주세요"], check=True
    )
    result = run(
        "listen",
        str(wav),
        "--reply",
        str(reply),
        "--database-url",
        url,
        env={"VOXCART_VOSK_MODEL": str(korean_model_dir), "VOXCART_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "heard:" in result.stderr and result.stdout.strip()
    audio = read_wav(reply)
    assert audio.duration_s > 0.5 and level_dbfs(audio.pcm) > -40


def test_a_bad_wav_is_one_clear_line(tmp_path: Path, korean_model_dir: Path) -> None:
    url = f"sqlite:///{tmp_path / 'v.db'}"
    run("db", "upgrade", "--database-url", url)
    bad = tmp_path / "noise.wav"
    bad.write_text("this is not audio")
    result = run(
        "listen", str(bad), "--database-url", url, env={"VOXCART_VOSK_MODEL": str(korean_model_dir)}
    )
    assert result.returncode == 1 and "not a PCM WAV file" in result.stderr
    assert "Traceback" not in result.stderr


def test_models_pull_unknown_name() -> None:
    result = run("models", "pull", "enormous")
    assert result.returncode == 1 and "known models: small-en-us" in result.stderr


def test_spoken_transcripts_report_stage_timings(tmp_path: Path, korean_model_dir: Path) -> None:
    """`transcripts run --audio` on the Korean store (its language picks the Korean model and
    voice): a user turn from an `audio:` file and one synthesised by the project's TTS, both
    through Vosk with the store's grammar, must be understood: the order is read back by its
    products, and the yes cancels it. Replies synthesised; every stage timed in the JSON."""
    import json

    store = Path(__file__).resolve().parents[1] / "stores" / "hangang-mart"
    # A recording made with the store's own voice, as 16 kHz mono PCM (FORMAT.md's `audio:`),
    # in a process of its own: pyttsx3 keeps one voice per process.
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from voice.audio import write_wav; "
            "from voice.tts import Synthesizer, TtsSettings; "
            "korean = Synthesizer(TtsSettings(voice='Korean')); "
            "write_wav(sys.argv[1], korean.synthesize(sys.argv[2]))",
            str(tmp_path / "ko.wav"),
            "주문 취소하고 싶어요",
        ],
        check=True,
        timeout=60,
    )
    (tmp_path / "spoken.yaml").write_text(
        "name: spoken Korean turns\n"
        f"catalog: {store.with_suffix('.csv')}\n"
        f"store: {store.with_suffix('.store.yaml')}\n"
        "given:\n  customer: {id: vo, name: 보}\n"
        "  orders:\n    - ref: open\n      items: {HOT-CHOCO: 1, MUFFIN: 2}\n"
        "      status: preparing\n"
        "steps:\n"
        '  - user: "주문 취소하고 싶어요"\n    audio: ko.wav\n'
        '  - bot_contains: ["핫초코", "블루베리 머핀"]\n'
        '  - user: "네, 취소해 주세요"\n'
        "expect:\n  orders: []\n  cancelled: [open]\n",
        encoding="utf-8",
    )
    report = tmp_path / "report.json"
    result = run(
        "transcripts", "run", str(tmp_path / "spoken.yaml"), "--audio", "--json", str(report)
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "1 passed, 0 failed"
    turns = json.loads(report.read_text())["transcripts"][0]["turns"]
    assert len(turns) == 2
    for turn in turns:
        assert turn["stt_ms"] > 0 and turn["first_audio_ms"] > 0 and turn["dialogue_ms"] > 0, turns
