"""What the benchmark scripts share: a CPU calibration and the demo store they measure on."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def calibrate() -> float:
    """Seconds for ``sum(range(10_000_000))``: the speed of this core right now (the machine
    is shared, so figures are read relative to it)."""
    t0 = time.perf_counter()
    sum(range(10_000_000))
    return time.perf_counter() - t0


def demo_db(size: str, seed: int = 42, db: Path | None = None) -> Path:
    """The demo ecosystem of ``size`` in ``db`` (default under /tmp), generated if missing."""
    db = db or Path(f"/tmp/coco-bench-{size}-{seed}.db")
    if not db.exists():
        print(f"generating the {size} demo into {db} …", flush=True)
        subprocess.run([sys.executable, "-m", "api.cli", "demo-data", "--size", size,
                        "--seed", str(seed), "--db", str(db)], cwd=ROOT, check=True)
    return db
