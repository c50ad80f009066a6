"""CI runs exactly the README's test command, with CI=true set by itself; demo.sh checks the display first."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ci_sets_ci_true_and_runs_the_readme_command() -> None:
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert "export CI=true" in lines
    assert lines[-1] == "exec ./scripts/test.sh"
    assert lines.index("export CI=true") < lines.index("exec ./scripts/test.sh")
    readme_head = (ROOT / "README.md").read_text(encoding="utf-8").split("\n## ")[0]
    assert "./scripts/test.sh" in readme_head


def test_demo_checks_the_display_before_building_the_day(tmp_path: Path) -> None:
    script = (ROOT / "scripts" / "demo.sh").read_text()
    assert script.index("display_problem") < script.index('DEMO_DB" demo')
    # the check itself, as demo.sh runs it, with a display that is set but does not answer
    check = next(line for line in script.splitlines() if "display_problem" in line and not line.startswith("#"))
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env["DISPLAY"] = ":199"
    proc = subprocess.run(["bash", "-c", check], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert len(proc.stderr.strip().splitlines()) == 1 and "DISPLAY=:199" in proc.stderr
