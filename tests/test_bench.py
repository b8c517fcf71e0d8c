"""The benchmark's report is generated from its raw numbers: check the rendering on fixed
numbers (the measurements themselves are `make bench`, not tests)."""
import importlib.util
import json
import sys

from conftest import ROOT

spec = importlib.util.spec_from_file_location("benchmark", ROOT / "bench/benchmark.py")
benchmark = importlib.util.module_from_spec(spec)
sys.modules["benchmark"] = benchmark  # dataclasses look their module up there
spec.loader.exec_module(benchmark)

RAW = {
    "machine": "Test CPU; 2 cores", "command": "python bench/benchmark.py", "jobs": 3, "code_cells": 31,
    "runs": {"floor": [0.7, 0.8, 0.6], "lesson-1": [1.1, 1.2, 1.0], "progress": [2.0, 2.0, 2.0]},
    "import_bare": [0.01, 0.01], "import_full": [0.08, 0.09],
    "save": [0.001] * 99 + [0.030],
    "sizes": {"lesson-1": 2666},
    "autograde": {"ours": [1.0, 1.1, 0.9], "stock": [0.9, 1.0, 0.8]},
    "profile": [["execution, all of it (nbgrader's Execute)", 0.8], ["  waiting for the kernel to be ready", 0.5],
                ["  the lesson's cells", 0.2], ["  kernel shutdown", 0.05], ["total per notebook", 1.0]],
    "cohorts": [
        {"students": 10, "jobs": 1, "notebooks": 50, "seconds": 50.0, "per_notebook": [1.0, 1.0], "peak_bytes": 200 * 2**20},
        {"students": 10, "jobs": 3, "notebooks": 50, "seconds": 30.0, "per_notebook": [1.5, 1.6], "peak_bytes": 500 * 2**20},
        {"students": 200, "jobs": 1, "notebooks": 1000, "seconds": 1000.0, "per_notebook": [1.0], "peak_bytes": 200 * 2**20},
        {"students": 200, "jobs": 3, "notebooks": 1000, "seconds": 500.0, "per_notebook": [1.5], "peak_bytes": 500 * 2**20},
    ],
}


def test_the_targets_table_is_computed_from_the_raw_numbers(tmp_path):
    text = benchmark.render(json.loads(json.dumps(RAW)))
    assert "| Autograde per notebook / floor | 1.43 x | at most 1.2 x the floor per notebook | no |" in text
    assert "| Slowest lesson run (lesson-1) - floor | +0.40 s | at most the floor + 0.5 s | yes |" in text
    assert "| import peercourse (net of Python start-up) | 0.075 s | at most 0.3 s | yes |" in text
    assert "| Saving an answer, 99th percentile | 30.0 ms | at most 20 ms at the 99th percentile | no |" in text
    assert "| Parallel autograde, 200 learners, 3 workers | 2.00 x faster | at least 1.8 x on 2 cores | yes |" in text
    assert "| 200 | 3 | 1000 | 500.0 s | 0.50 s | 1.50 s (1.50-1.50) | 500 MiB |" in text
    assert "### Why autograde stays above 1.2 x the floor" in text
    assert "5,000 learners x 5 graded lessons is 25,000 notebooks" in text


def test_render_only_rewrites_the_page_from_saved_numbers(tmp_path):
    raw, out = tmp_path / "raw.json", tmp_path / "performance.md"
    raw.write_text(json.dumps(RAW))
    assert benchmark.main(["--render-only", "--raw", str(raw), "--out", str(out)]) == 0
    assert out.read_text().startswith("# Performance\n")
