"""Benchmark: start-up of the frozen build (scripts/package.sh -> dist/reception-desk/) against the source install.

    scripts/package.sh --no-deb && .venv/bin/python -m bench.bench_frozen_start [--runs 5] [--frozen PATH]

The whole-process figures of bench/bench_startup.py that a frozen binary can give (it cannot run the bench's own
Python snippets for the first-paint marks): `--help`, `--quit-when-ready` on the demo day to its exit,
`print slips --all`, and the window's resident memory; each for `.venv/bin/reception-desk` and for the frozen
`reception-desk`, offscreen, the commands interleaved, medians of --runs. The frozen folder is copied outside the
source tree first, as an office installs it.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from bench.bench_startup import _env, _peak_rss, _wall

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    """Print the medians for the source and the frozen app side by side."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--frozen", type=Path, default=ROOT / "dist" / "reception-desk")
    args = parser.parse_args()
    if not (args.frozen / "reception-desk").is_file():
        sys.exit(f"no frozen build at {args.frozen}: run scripts/package.sh --no-deb first")
    with tempfile.TemporaryDirectory() as tmp:
        env = _env(Path(tmp) / "home")
        folder = Path(tmp) / "reception-desk"
        shutil.copytree(args.frozen, folder, symlinks=True)
        exes = {
            "source": str(Path(sys.executable).with_name("reception-desk")),
            "frozen": str(folder / "reception-desk"),
        }
        demo = Path(tmp) / "demo.sqlite3"
        _wall([exes["source"], "--db", str(demo), "demo"], env)
        commands = {
            "help": ["--help"],
            "window": ["--db", str(demo), "--quit-when-ready"],
            "slips": ["--db", str(demo), "print", "slips", "--all", "--out", str(Path(tmp) / "slips.pdf")],
        }
        for exe in exes.values():  # warm the file cache once
            for argv in commands.values():
                _wall([exe, *argv], env)
        runs: dict[tuple[str, str], list[float]] = {(k, c): [] for k in exes for c in commands}
        for _ in range(args.runs):
            for cmd, argv in commands.items():
                for kind, exe in exes.items():
                    runs[kind, cmd].append(_wall([exe, *argv], env))
        m = {key: statistics.median(values) for key, values in runs.items()}
        print(f"medians of {args.runs} runs, from spawning the process to its exit (offscreen):")
        print(f"  {'':<42} {'source':>9} {'frozen':>9}")
        labels = {
            "help": "reception-desk --help",
            "window": "reception-desk --quit-when-ready (demo)",
            "slips": "reception-desk print slips --all (demo)",
        }
        for cmd, label in labels.items():
            src, frz = m["source", cmd], m["frozen", cmd]
            print(f"  {label:<42} {src:>7.3f} s {frz:>7.3f} s  = {frz / src:.2f}×")
        rss = {kind: _peak_rss([exe, *commands["window"]], env) for kind, exe in exes.items()}
        print(f"resident memory, window on the demo day: source {rss['source']:.0f} MB, frozen {rss['frozen']:.0f} MB")


if __name__ == "__main__":
    main()
