"""A private PulseAudio server for device tests: a null sink as the speaker (recorded from its
monitor with parec) and a pipe source as the microphone (fed in real time), reached by
sounddevice through ALSA's pulse plugin."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

from device.loop import VoiceLoop
from voice.audio import CHUNK_BYTES, CHUNK_MS, level_dbfs

FRAME = 16_000 * 20 // 1000 * 2  # 20 ms of 16-bit mono


class PulseServer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.fifo = root / "mic.fifo"
        self.env = {
            **os.environ,
            "PULSE_RUNTIME_PATH": str(root / "run"),
            "PULSE_SERVER": f"unix:{root / 'run' / 'native'}",
            "PULSE_STATE_PATH": str(root / "state"),
            # Small client buffers: PulseAudio's default adds seconds of input latency.
            "PULSE_LATENCY_MSEC": "30",
        }

    def start(self) -> None:
        (self.root / "run").mkdir(parents=True)
        subprocess.run(
            [
                "pulseaudio",
                "-n",
                "--daemonize=yes",
                "--exit-idle-time=-1",
                "--disallow-exit",
                "--use-pid-file=yes",
                f"--log-target=file:{self.root / 'pulse.log'}",
                "-L",
                "module-native-protocol-unix",
                "-L",
                "module-null-sink sink_name=vsink",
                "-L",
                f"module-pipe-source source_name=vmic file={self.fifo} format=s16le "
                "rate=16000 channels=1",
            ],
            env=self.env,
            check=True,
            timeout=30,
        )
        for _ in range(50):
            if subprocess.run(["pactl", "info"], env=self.env, capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        for command in (["set-default-sink", "vsink"], ["set-default-source", "vmic"]):
            subprocess.run(["pactl", *command], env=self.env, check=True, timeout=10)

    def stop(self) -> None:
        subprocess.run(["pulseaudio", "--kill"], env=self.env, timeout=10, capture_output=True)


class MicFeeder(threading.Thread):
    """Writes real-time audio into the pipe source: silence, or speech when given."""

    def __init__(self, fifo: Path) -> None:
        super().__init__(daemon=True)
        self.fifo = fifo
        self.pending = bytearray()
        self.lock = threading.Lock()
        self.running = True

    def say(self, pcm: bytes) -> None:
        with self.lock:
            self.pending += pcm

    def run(self) -> None:
        with open(self.fifo, "wb", buffering=0) as pipe:
            next_at = time.monotonic()
            while self.running:
                with self.lock:
                    chunk = bytes(self.pending[:CHUNK_BYTES])
                    del self.pending[:CHUNK_BYTES]
                pipe.write(chunk.ljust(CHUNK_BYTES, b"\0"))
                next_at += CHUNK_MS / 1000
                time.sleep(max(0.0, next_at - time.monotonic()))


def speech_seconds(pcm: bytes) -> float:
    frames = [pcm[i : i + FRAME] for i in range(0, len(pcm) - FRAME, FRAME)]
    return sum(level_dbfs(f) > -50 for f in frames) * 0.02


class Recorder:
    """Records the speaker (the null sink's monitor) with parec."""

    def __init__(self, pulse: PulseServer, out: Path) -> None:
        self.out = out
        self.process = subprocess.Popen(
            ["parec", "-d", "vsink.monitor", "--rate=16000", "--channels=1",
             "--format=s16le", "--latency-msec=20", str(out)],
            env=pulse.env,
        )  # fmt: skip

    def stop(self) -> bytes:
        """Stops recording (parec flushes on SIGINT) and returns what was recorded."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(timeout=5)
        return self.out.read_bytes()


def run_loop(loop_: VoiceLoop, until, limit_s: float) -> None:  # type: ignore[no-untyped-def]
    async def main() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(loop_.run(stop))
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline and not until():
            await asyncio.sleep(0.1)
        stop.set()
        loop_.speaker.stop()
        await asyncio.sleep(0.3)
        task.cancel()

    asyncio.run(main())
