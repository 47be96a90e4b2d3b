"""A private PulseAudio server for device tests, with the acoustic path of a real kiosk.

    shopper's voice (pipe source `vmic`, fed in real time) --loopback--> room --+
    speaker (null sink `vsink`, recorded from its monitor) --loopback, quieter--+
    room (null sink): its monitor is the microphone capsule, hearing both.

The device records from `module-echo-cancel` (webrtc), whose master source is the room and
whose master sink is the speaker, so it hears the shopper without its own reply. sounddevice
reaches it through ALSA's pulse plugin (the server's defaults). `use_echo_cancel(False)` wires
the device straight to the room and the speaker: it then hears itself."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from device.audio_io import Microphone
from device.loop import VoiceLoop
from voice.audio import CHUNK_BYTES, CHUNK_MS, level_dbfs

FRAME = 16_000 * 20 // 1000 * 2  # 20 ms of 16-bit mono
ROOM_RATE = "rate=16000 channels=1"


@dataclass(frozen=True)
class Room:
    """How the kiosk's speaker reaches its microphone. -12 dB puts the reply ~12 dB under a
    shopper speaking into the microphone: a speaker a hand's width from the capsule, loud
    enough that without echo cancelling the reply is well above the loop's speech onset."""

    echo_db: float = -12.0
    echo_delay_ms: int = 40  # device buffers plus the air between speaker and capsule


class PulseServer:
    def __init__(self, root: Path, room: Room | None = None) -> None:
        self.root = root
        self.room = room or Room()
        self.fifo = root / "mic.fifo"
        self._room_modules: list[str] = []
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
        self.build_room()

    def build_room(self) -> None:
        """Loads the room and the echo canceller (see the module's docstring)."""
        load = self._load_room_module
        load("module-null-sink", "sink_name=room", *ROOM_RATE.split())
        fixed = ("source_dont_move=1", "sink_dont_move=1")
        load("module-loopback", "source=vmic", "sink=room", "latency_msec=20", *fixed)
        echo = load("module-loopback", "source=vsink.monitor", "sink=room",
                    f"latency_msec={self.room.echo_delay_ms}", *fixed)  # fmt: skip
        inputs = json.loads(self.pactl("-f", "json", "list", "sink-inputs"))
        (echo_input,) = [i["index"] for i in inputs if i["owner_module"] == echo]
        self.pactl("set-sink-input-volume", str(echo_input), f"{self.room.echo_db}dB")
        # No automatic gain: it would change the echo level under test. No noise suppression:
        # in this noiseless room it takes the first half second of speech for noise (17 dB
        # down), and the first words are lost.
        load("module-echo-cancel", "aec_method=webrtc",
             'aec_args="analog_gain_control=0 digital_gain_control=0 noise_suppression=0"',
             "source_master=room.monitor", "sink_master=vsink",
             "source_name=aec_mic", "sink_name=aec_speaker")  # fmt: skip
        self.use_echo_cancel(True)

    def remove_room(self) -> None:
        """Back to a bare speaker and microphone (vsink, vmic): a test whose microphone
        vanishes needs no live source left for PulseAudio to move the device's stream to."""
        while self._room_modules:
            self.pactl("unload-module", self._room_modules.pop())
        self.pactl("set-default-sink", "vsink")
        self.pactl("set-default-source", "vmic")

    def _load_room_module(self, *args: str) -> str:
        module = self.pactl("load-module", *args)
        self._room_modules.append(module)
        return module

    def use_echo_cancel(self, on: bool) -> None:
        """What the device opens as its default microphone and speaker."""
        source, sink = ("aec_mic", "aec_speaker") if on else ("room.monitor", "vsink")
        self.pactl("set-default-sink", sink)
        self.pactl("set-default-source", source)

    def pactl(self, *args: str) -> str:
        done = subprocess.run(["pactl", *args], env=self.env, capture_output=True, text=True,
                              timeout=10)  # fmt: skip
        if done.returncode != 0:
            log = (self.root / "pulse.log").read_text(errors="replace").splitlines()[-5:]
            raise RuntimeError(f"pactl {' '.join(args)}: {done.stderr.strip()}; log: {log}")
        return done.stdout.strip()

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


class TappedMicrophone(Microphone):
    """The default microphone, keeping every chunk it delivers and whether the assistant was
    speaking then: what the device heard of its own reply can be measured."""

    def __init__(self) -> None:
        super().__init__(None)
        self.speaking: Callable[[], bool] = lambda: False
        self.tapped: list[tuple[bool, bytes]] = []

    async def chunks(self) -> AsyncIterator[bytes]:
        async for chunk in super().chunks():
            self.tapped.append((self.speaking(), chunk))
            yield chunk

    def heard_while_speaking(self) -> bytes:
        return b"".join(chunk for speaking, chunk in self.tapped if speaking)
