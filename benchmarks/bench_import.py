"""How long `import cadrecast` takes, next to `import json` (a stdlib baseline) in the same run.

Run: .venv/bin/python benchmarks/bench_import.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys


def _time(module: str, repeat: int = 5) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True).stdout) for _ in range(repeat)]
    return statistics.median(runs)


if __name__ == "__main__":
    base = _time("json")
    ours = _time("cadrecast")
    print(f"import json      {base * 1000:7.1f} ms")
    print(f"import cadrecast {ours * 1000:7.1f} ms  ({ours / base:.1f}x json; target: well under 1 s)")
