"""The pipeline's one audio format, and conversion into it at the boundary.

Everything inside voxcart's voice path is 16 kHz, 16-bit signed little-endian, mono PCM, moved
in chunks of CHUNK_MS milliseconds. Audio in any other rate, width or channel count (a WAV
file, a device that only does 48 kHz stereo, pyttsx3's 22,050 Hz output) is converted once,
where it enters.
"""

from __future__ import annotations

import io
import math
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SAMPLE_RATE_HZ = 16_000
SAMPLE_WIDTH_BYTES = 2  # int16
CHANNELS = 1
CHUNK_MS = 100  # what a device delivers per read; also the real-time pacing of file input
CHUNK_SAMPLES = SAMPLE_RATE_HZ * CHUNK_MS // 1000  # 1,600 samples
CHUNK_BYTES = CHUNK_SAMPLES * SAMPLE_WIDTH_BYTES * CHANNELS  # 3,200 bytes
BYTES_PER_SECOND = SAMPLE_RATE_HZ * SAMPLE_WIDTH_BYTES * CHANNELS
# The unit in which silence is timed (voice/endpoint.py), finer than a chunk.
FRAME_MS = 10
FRAME_BYTES = SAMPLE_RATE_HZ * FRAME_MS // 1000 * SAMPLE_WIDTH_BYTES * CHANNELS

# Level (dBFS) below which a chunk counts as silence; speech is typically -35 to -10 dBFS.
SILENCE_DBFS = -50.0


@dataclass(frozen=True)
class AudioBuffer:
    """PCM audio with its format; `pcm` is little-endian signed integers."""

    pcm: bytes
    rate_hz: int = SAMPLE_RATE_HZ
    width_bytes: int = SAMPLE_WIDTH_BYTES
    channels: int = CHANNELS

    @property
    def duration_s(self) -> float:
        frame = self.width_bytes * self.channels
        return len(self.pcm) / frame / self.rate_hz if frame and self.rate_hz else 0.0

    def to_pipeline(self) -> AudioBuffer:
        return AudioBuffer(to_pipeline_pcm(self.pcm, self.rate_hz, self.width_bytes, self.channels))


def _as_float(pcm: bytes, width_bytes: int, channels: int) -> np.ndarray:
    if width_bytes == 2:
        samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
    elif width_bytes == 4:
        samples = np.frombuffer(pcm, dtype="<i4").astype(np.float32) / 2147483648.0
    elif width_bytes == 1:  # WAV's 8-bit is unsigned
        samples = (np.frombuffer(pcm, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    else:
        raise ValueError(f"unsupported sample width: {width_bytes} bytes")
    usable = len(samples) - len(samples) % channels
    return samples[:usable].reshape(-1, channels).mean(axis=1)


def to_pipeline_pcm(pcm: bytes, rate_hz: int, width_bytes: int = 2, channels: int = 1) -> bytes:
    """Any PCM -> 16 kHz, 16-bit, mono."""
    if rate_hz == SAMPLE_RATE_HZ and width_bytes == SAMPLE_WIDTH_BYTES and channels == CHANNELS:
        return pcm[: len(pcm) - len(pcm) % 2]
    mono = _as_float(pcm, width_bytes, channels)
    if rate_hz != SAMPLE_RATE_HZ and len(mono):
        from scipy.signal import resample_poly

        g = math.gcd(rate_hz, SAMPLE_RATE_HZ)
        mono = resample_poly(mono, SAMPLE_RATE_HZ // g, rate_hz // g)
    return float_to_pcm16(mono)


def float_to_pcm16(samples: np.ndarray) -> bytes:
    return (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()


def read_wav(path: Path | str) -> AudioBuffer:
    """A WAV file as pipeline audio. Raises ValueError saying what is wrong with the file."""
    try:
        with wave.open(str(path), "rb") as wav:
            if wav.getcomptype() != "NONE":
                raise ValueError(f"{path}: compressed WAV ({wav.getcompname()}); use PCM")
            frames = wav.readframes(wav.getnframes())
            source = AudioBuffer(frames, wav.getframerate(), wav.getsampwidth(), wav.getnchannels())
    except (wave.Error, EOFError) as exc:
        raise ValueError(f"{path}: not a PCM WAV file ({exc})") from None
    return source.to_pipeline()


def wav_bytes(audio: AudioBuffer) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(audio.channels)
        wav.setsampwidth(audio.width_bytes)
        wav.setframerate(audio.rate_hz)
        wav.writeframes(audio.pcm)
    return out.getvalue()


def write_wav(path: Path | str, audio: AudioBuffer) -> None:
    Path(path).write_bytes(wav_bytes(audio))


def chunks(pcm: bytes, size: int = CHUNK_BYTES) -> Iterator[bytes]:
    for start in range(0, len(pcm), size):
        yield pcm[start : start + size]


def level_dbfs(pcm: bytes) -> float:
    """RMS level of 16-bit PCM in dBFS (-inf for digital silence)."""
    samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2").astype(np.float32)
    if not len(samples):
        return float("-inf")
    rms = float(np.sqrt(np.mean(samples**2))) / 32768.0
    return 20 * math.log10(rms) if rms > 0 else float("-inf")


def frame_levels_dbfs(pcm: bytes) -> np.ndarray:
    """RMS level (dBFS) of each whole FRAME_MS frame of 16-bit PCM; -inf for digital silence."""
    usable = len(pcm) - len(pcm) % FRAME_BYTES
    if not usable:
        return np.empty(0)
    samples = np.frombuffer(pcm[:usable], dtype="<i2").astype(np.float32) / 32768.0
    rms = np.sqrt(np.mean(samples.reshape(-1, FRAME_BYTES // SAMPLE_WIDTH_BYTES) ** 2, axis=1))
    with np.errstate(divide="ignore"):
        return 20 * np.log10(rms)


def trim_silence(pcm: bytes, threshold_dbfs: float = SILENCE_DBFS) -> bytes:
    """The audio from its first to its last frame above `threshold_dbfs` (a synthesizer's or a
    recording's lead-in and tail removed, so pauses put between clips are exactly as long)."""
    loud = (frame_levels_dbfs(pcm) > threshold_dbfs).nonzero()[0]
    if not len(loud):
        return b""
    return pcm[loud[0] * FRAME_BYTES : (loud[-1] + 1) * FRAME_BYTES]


def without_silent_tail(pcm: bytes, threshold_dbfs: float = SILENCE_DBFS) -> bytes:
    """The audio up to its last frame above `threshold_dbfs` (the lead-in kept: a recogniser
    hears the start of speech better after some silence)."""
    loud = (frame_levels_dbfs(pcm) > threshold_dbfs).nonzero()[0]
    return pcm[: (loud[-1] + 1) * FRAME_BYTES] if len(loud) else pcm


def silence(duration_ms: int) -> bytes:
    return bytes(SAMPLE_RATE_HZ * duration_ms // 1000 * SAMPLE_WIDTH_BYTES)
