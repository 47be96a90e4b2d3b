from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from voice import audio


def tone(rate: int, seconds: float, channels: int = 1, hz: float = 440.0) -> bytes:
    t = np.arange(int(rate * seconds)) / rate
    wave_ = 0.5 * np.sin(2 * np.pi * hz * t)
    frames = np.repeat(wave_[:, None], channels, axis=1).reshape(-1)
    return (frames * 32767).astype("<i2").tobytes()


def test_constants_describe_one_format() -> None:
    assert audio.SAMPLE_RATE_HZ == 16_000 and audio.SAMPLE_WIDTH_BYTES == 2
    assert audio.CHANNELS == 1
    assert audio.CHUNK_BYTES == audio.SAMPLE_RATE_HZ * audio.CHUNK_MS // 1000 * 2


@pytest.mark.parametrize(("rate", "channels"), [(44_100, 2), (22_050, 1), (48_000, 1), (8_000, 2)])
def test_conversion_keeps_duration_and_signal(rate: int, channels: int) -> None:
    converted = audio.to_pipeline_pcm(tone(rate, 1.0, channels), rate, 2, channels)
    samples = np.frombuffer(converted, dtype="<i2")
    assert abs(len(samples) - 16_000) <= 2
    assert -9.5 < audio.level_dbfs(converted) < -8.5  # RMS of a 0.5 sine: -9.03 dBFS
    spectrum = np.abs(np.fft.rfft(samples))
    assert abs(np.argmax(spectrum) * 16_000 / len(samples) - 440) < 5


def test_read_wav_converts_and_rejects_non_wav(tmp_path: Path) -> None:
    path = tmp_path / "stereo.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(44_100)
        w.writeframes(tone(44_100, 0.5, 2))
    buffer = audio.read_wav(path)
    assert buffer.rate_hz == 16_000 and abs(buffer.duration_s - 0.5) < 0.01
    bad = tmp_path / "bad.wav"
    bad.write_text("not audio")
    with pytest.raises(ValueError, match="not a PCM WAV"):
        audio.read_wav(bad)


def test_silence_is_silent() -> None:
    assert audio.level_dbfs(audio.silence(100)) == float("-inf")
    assert len(list(audio.chunks(audio.silence(1000)))) == 10
