"""Generate the call screen's chime: resources/sounds/chime.wav, a two-tone ding-dong (about 0.9 s, 22 kHz mono).

    .venv/bin/python scripts/make_chime.py

The tones are plain sines with a soft attack and an exponential decay, so the file is small and ours to ship.
"""

from __future__ import annotations

import math
import struct
import sys
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "sounds" / "chime.wav"
RATE = 22050
# (start in seconds, frequency in Hz, length in seconds): E6 then C6, the usual hall "ding-dong"
TONES = ((0.0, 1318.5, 0.55), (0.32, 1046.5, 0.6))
VOLUME = 0.45


def samples() -> list[float]:
    """The chime as floats in -1..1."""
    total = int(RATE * max(start + length for start, _f, length in TONES))
    out = [0.0] * total
    for start, freq, length in TONES:
        first = int(start * RATE)
        for i in range(int(length * RATE)):
            t = i / RATE
            attack = min(1.0, t / 0.008)  # no click at the start
            decay = math.exp(-5.0 * t / length)
            tail = min(1.0, (length - t) / 0.02)  # no click at the end
            tone = math.sin(2 * math.pi * freq * t) + 0.25 * math.sin(2 * math.pi * 2 * freq * t)
            out[first + i] += VOLUME * attack * decay * tail * tone / 1.25
    return out


def main() -> int:
    """Write the WAV file."""
    OUT.parent.mkdir(parents=True, exist_ok=True)
    frames = b"".join(struct.pack("<h", int(max(-1.0, min(1.0, s)) * 32767)) for s in samples())
    with wave.open(str(OUT), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(frames)
    print(OUT.relative_to(ROOT), f"{OUT.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
