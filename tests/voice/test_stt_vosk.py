"""The real Vosk path on a real model: the Korean model from PyPI (no English model can be
downloaded here), fed espeak-ng Korean speech."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

from voice.audio import chunks, read_wav, silence
from voice.stt import SttError, SttFinal, SttPartial, VoskEngine, find_model, transcribe

from .conftest import espeak

ORDER = "우유 두 개 주문해 주세요"  # "two milks, please"
WHERE = "내 주문 어디 있어요"  # "where is my order"


async def _feed(engine: VoskEngine, pcm: bytes) -> SttFinal:
    async def stream():  # type: ignore[no-untyped-def]
        for chunk in chunks(pcm):
            yield chunk

    return await transcribe(engine, stream())


@pytest.fixture(scope="module")
def order_audio(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = espeak(ORDER, tmp_path_factory.mktemp("ko") / "order.wav", voice="ko")
    return read_wav(path).pcm


def test_streaming_gives_partials_then_end_of_utterance(korean_engine, order_audio) -> None:  # type: ignore[no-untyped-def]
    korean_engine.set_vocabulary([])
    stream = korean_engine.stream()
    partials, final_at = [], None
    audio = order_audio + silence(2000)
    for i, chunk in enumerate(chunks(audio)):
        result = stream.accept(chunk)
        if isinstance(result, SttPartial):
            partials.append(result.text)
        if isinstance(result, SttFinal):
            final_at = i
            break
    assert partials, "no partial results while speaking"
    # Vosk ends the utterance in the trailing silence, before the audio runs out.
    speech_chunks = len(order_audio) // 3200
    assert final_at is not None and speech_chunks <= final_at < len(audio) // 3200


def test_grammar_biases_recognition_to_the_store_phrases(korean_engine, order_audio) -> None:  # type: ignore[no-untyped-def]
    report = korean_engine.set_vocabulary(["우유", "두 개", "주문해 주세요", WHERE, "네", "latte"])
    assert report.grammar_supported
    assert report.missing == ["latte"]  # reported, not silently dropped
    result = asyncio.run(_feed(korean_engine, order_audio + silence(1000)))
    assert result.text == ORDER and result.source == "grammar" and result.understood


def test_switching_grammar_changes_what_is_heard(korean_engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    audio = read_wav(espeak(WHERE, tmp_path / "where.wav", voice="ko")).pcm + silence(1000)
    korean_engine.set_vocabulary([WHERE, "네"])
    assert asyncio.run(_feed(korean_engine, audio)).text == WHERE
    korean_engine.set_vocabulary(["네", "아니요"])  # WHERE is no longer in the grammar
    assert asyncio.run(_feed(korean_engine, audio)).text != WHERE


def test_unknown_marker_is_never_in_the_text(korean_engine) -> None:  # type: ignore[no-untyped-def]
    # This model has no [unk] word: Vosk ignores it; our parser strips it either way.
    parsed = korean_engine.stream()._parse(
        '{"result": [{"word": "[unk]", "conf": 1.0}, {"word": "네", "conf": 0.9}], '
        '"text": "[unk] 네"}',
        "grammar",
    )
    assert parsed.text == "네" and parsed.words[0][0] == "[unk]"


def test_silence_and_noise_are_not_understood(korean_engine) -> None:  # type: ignore[no-untyped-def]
    korean_engine.set_vocabulary([ORDER, "네"])
    assert not asyncio.run(_feed(korean_engine, silence(3000))).understood
    noise = np.random.default_rng(7).normal(0, 0.02, 16_000 * 2)
    pcm = (noise * 32767).astype("<i2").tobytes() + silence(1000)
    result = asyncio.run(_feed(korean_engine, pcm))
    assert result.text != ORDER


def test_missing_model_says_how_to_fix_it(tmp_path: Path) -> None:
    with pytest.raises(SttError, match="voxcart models pull small-en-us"):
        find_model(None, tmp_path)
    with pytest.raises(SttError, match="not a Vosk model folder"):
        find_model(tmp_path, tmp_path)


def test_english_speech(english_model_dir: Path, tmp_path: Path) -> None:
    engine = VoskEngine(english_model_dir)
    engine.set_vocabulary(["two croissants", "a large oat latte", "check out", "yes"])
    audio = read_wav(espeak("two croissants and a large oat latte", tmp_path / "en.wav")).pcm
    result = asyncio.run(_feed(engine, audio + silence(1000)))
    assert "croissants" in result.text and "latte" in result.text
