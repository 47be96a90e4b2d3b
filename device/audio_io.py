"""Microphone and speaker through sounddevice, in the pipeline's audio format.

The microphone is an async source of CHUNK_MS chunks; the speaker plays a buffer in small
blocks and stops within one block when asked (barge-in). Devices that cannot do 16 kHz mono
are opened at their own rate and converted at this boundary.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import numpy as np

from voice.audio import (
    CHANNELS,
    CHUNK_MS,
    SAMPLE_RATE_HZ,
    AudioBuffer,
    to_pipeline_pcm,
)

log = logging.getLogger(__name__)

PLAYBACK_BLOCK_MS = 40  # how soon playback notices a stop request
HOLD_POLL_S = 0.01
# No audio for this long from an open microphone means the device went away.
MIC_SILENT_TIMEOUT_S = 3.0


class DeviceError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _sd():  # type: ignore[no-untyped-def]
    try:
        import sounddevice
    except OSError as exc:  # PortAudio missing
        raise DeviceError(
            "portaudio_missing",
            f"audio is unavailable ({exc}); on Debian: sudo apt-get install libportaudio2",
        ) from None
    return sounddevice


@dataclass(frozen=True)
class DeviceInfo:
    index: int
    name: str
    inputs: int
    outputs: int
    default_rate: int
    is_default_input: bool
    is_default_output: bool


def list_devices() -> list[DeviceInfo]:
    sd = _sd()
    try:
        devices = sd.query_devices()
        default_in, default_out = sd.default.device
    except sd.PortAudioError as exc:
        raise DeviceError("no_audio_system", f"cannot list audio devices: {exc}") from None
    return [
        DeviceInfo(
            index=i,
            name=d["name"],
            inputs=d["max_input_channels"],
            outputs=d["max_output_channels"],
            default_rate=int(d["default_samplerate"]),
            is_default_input=i == default_in,
            is_default_output=i == default_out,
        )
        for i, d in enumerate(devices)
    ]


def resolve_device(name: str | None, *, kind: str) -> int | None:
    """A device index from a name fragment or number; None is the system default."""
    devices = list_devices()
    usable = [d for d in devices if (d.inputs if kind == "input" else d.outputs) > 0]
    if not usable:
        raise DeviceError(
            f"no_{kind}",
            f"no audio {kind} device found; plug one in (voxcart devices lists what is there)",
        )
    if name is None or name == "":
        return None
    if name.isdigit():
        index = int(name)
        if any(d.index == index for d in usable):
            return index
    matches = [d for d in usable if name.lower() in d.name.lower()]
    if not matches:
        names = ", ".join(f"{d.index}: {d.name}" for d in usable)
        raise DeviceError(f"unknown_{kind}", f"no {kind} device matches {name!r}; have {names}")
    return matches[0].index


class Microphone:
    """Captures pipeline-format chunks. `chunks()` yields until closed; if the device stops
    delivering audio it raises DeviceError('device_lost') so the loop can reopen it."""

    def __init__(self, device: str | None = None) -> None:
        self.device = device
        self.overflows = 0
        self._stream = None
        self._queue: asyncio.Queue[bytes] | None = None
        self._rate = SAMPLE_RATE_HZ

    def open(self) -> None:
        sd = _sd()
        index = resolve_device(self.device, kind="input")
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[bytes] = asyncio.Queue(maxsize=200)
        self._queue = queue

        def callback(indata, frames, time_info, status) -> None:  # type: ignore[no-untyped-def]
            if status.input_overflow:
                self.overflows += 1
            data = bytes(indata)
            if self._rate != SAMPLE_RATE_HZ:
                data = to_pipeline_pcm(data, self._rate, 2, 1)
            loop.call_soon_threadsafe(_put_latest, queue, data)

        for rate in (SAMPLE_RATE_HZ, None):
            try:
                self._rate = rate or int(sd.query_devices(index, "input")["default_samplerate"])
                stream = sd.RawInputStream(
                    samplerate=self._rate,
                    blocksize=self._rate * CHUNK_MS // 1000,
                    device=index,
                    channels=CHANNELS,
                    dtype="int16",
                    callback=callback,
                )
                stream.start()
                self._stream = stream
                return
            except sd.PortAudioError as exc:
                last_error = exc
        raise DeviceError("input_failed", f"cannot open the microphone: {last_error}")

    async def chunks(self) -> AsyncIterator[bytes]:
        assert self._queue is not None, "open() first"
        while True:
            try:
                chunk = await asyncio.wait_for(self._queue.get(), MIC_SILENT_TIMEOUT_S)
            except asyncio.TimeoutError:
                raise DeviceError("device_lost", "the microphone stopped sending audio") from None
            yield chunk

    def close(self) -> None:
        if self._stream is not None:
            try:
                self._stream.stop()
                self._stream.close()
            except Exception:  # noqa: S110 - a vanished device cannot be closed cleanly
                pass
            self._stream = None


def _put_latest(queue: asyncio.Queue[bytes], data: bytes) -> None:
    if queue.full():  # a stalled consumer loses the oldest audio, not the newest
        queue.get_nowait()
    queue.put_nowait(data)


class Speaker:
    """Plays pipeline audio; `play` returns False when interrupted by `stop()`.

    `hold()` silences playback at once and `release()` goes on from where the listener
    stopped hearing it: the loop holds the reply at the first loud sound, before it knows
    whether the shopper is talking over it. An echo canceller removes near-end speech too
    while the reply plays (double-talk), so every 100 ms of reply over the shopper's first
    words costs words."""

    def __init__(self, device: str | None = None) -> None:
        self.device = device
        self._stop = threading.Event()
        self._held = threading.Event()
        self.playing = False

    def stop(self) -> None:
        self._held.clear()
        self._stop.set()

    def hold(self) -> None:
        self._held.set()

    def release(self) -> None:
        self._held.clear()

    def _wait_while_held(self) -> None:
        while self._held.is_set() and not self._stop.is_set():
            time.sleep(HOLD_POLL_S)

    def _play_blocking(self, audio: AudioBuffer) -> bool:
        sd = _sd()
        index = resolve_device(self.device, kind="output")
        rate = audio.rate_hz
        samples = np.frombuffer(audio.pcm, dtype="<i2")
        block = rate * PLAYBACK_BLOCK_MS // 1000
        try:
            stream = sd.RawOutputStream(samplerate=rate, device=index, channels=1, dtype="int16")
        except sd.PortAudioError:
            # Device cannot do 16 kHz: play at its own rate.
            device_rate = int(sd.query_devices(index, "output")["default_samplerate"])
            from scipy.signal import resample_poly

            samples = (resample_poly(samples.astype(np.float32), device_rate, rate)).astype("<i2")
            rate = device_rate
            block = rate * PLAYBACK_BLOCK_MS // 1000
            try:
                stream = sd.RawOutputStream(
                    samplerate=rate, device=index, channels=1, dtype="int16"
                )
            except sd.PortAudioError as exc:
                raise DeviceError("output_failed", f"cannot open the speaker: {exc}") from None
        with stream:
            start = 0
            while start < len(samples):
                if self._held.is_set():
                    stream.abort()  # what is buffered is dropped: the room is quiet now
                    # Goes on with what was buffered but not heard.
                    start = max(0, start - int(stream.latency * rate))
                    self._wait_while_held()
                    if self._stop.is_set():
                        return False
                    stream.start()
                if self._stop.is_set():
                    stream.abort()
                    return False
                stream.write(samples[start : start + block].tobytes())
                start += block
        return True

    async def play(self, audio: AudioBuffer) -> bool:
        self._stop.clear()
        self.playing = True
        try:
            return await asyncio.to_thread(self._play_blocking, audio)
        finally:
            self.playing = False
