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
    "machine": "Test CPU; 2 cores", "command": "python bench/benchmark.py", "jobs": 3, "cores": 2,
    "code_cells": 31, "all_cells": 43,
    "runs": {"floor": [0.7, 0.8, 0.6], "floor, graceful shutdown": [0.9, 0.9, 0.9], "31 trivial cells": [0.9, 1.0, 0.8],
             "lesson-1": [1.1, 1.2, 1.0], "progress": [2.0, 2.0, 2.0],
             "floor, forked": [0.1, 0.1, 0.1], "lesson-1, forked": [0.3, 0.3, 0.3]},
    "import_bare": [0.01, 0.01], "import_full": [0.08, 0.09], "import_nbgrader": [2.51, 2.51],
    "save": [0.001] * 99 + [0.030],
    "sizes": {"lesson-1": 2666},
    "autograde": {"stock": [0.9, 1.0, 0.8], "lesson-1, normal": [1.0, 1.1, 0.9], "lesson-1": [0.5, 0.5, 0.5],
                  "lesson-2, normal": [1.1, 1.2, 1.0], "lesson-2": [0.6, 0.65, 0.55]},
    "autograde_cpu": {"stock": [0.8] * 3, "lesson-1, normal": [0.9] * 3, "lesson-1": [0.3] * 3,
                      "lesson-2, normal": [1.0] * 3, "lesson-2": [0.35] * 3},
    "profile": [["show cells printed by the grading process (ShownItems)", 0.004],
                ["execution, all of it (nbgrader's Execute)", 0.3], ["  kernel process start", 0.02],
                ["  waiting for the kernel to be ready", 0.05], ["  the lesson's cells", 0.15], ["  kernel shutdown", 0.02],
                ["total per notebook", 0.5]],
    "profile_normal": [["execution, all of it (nbgrader's Execute)", 0.8], ["  kernel process start", 0.0],
                       ["  waiting for the kernel to be ready", 0.5], ["  the lesson's cells", 0.2], ["  kernel shutdown", 0.1],
                       ["total per notebook", 1.1]],
    "cohorts": [
        {"students": 5, "jobs": 1, "notebooks": 25, "seconds": 10.0, "per_notebook": [0.4], "peak_bytes": 200 * 2**20,
         "gradebook_rows": 30.0, "kernels": "forked", "cpu": 12.5},
        {"students": 5, "jobs": 3, "notebooks": 25, "seconds": 8.0, "per_notebook": [0.5], "peak_bytes": 500 * 2**20,
         "gradebook_rows": 30.0, "kernels": "forked", "cpu": 15.0},
        {"students": 50, "jobs": 1, "notebooks": 250, "seconds": 100.0, "per_notebook": [0.4], "peak_bytes": 200 * 2**20,
         "gradebook_rows": 30.0, "kernels": "forked", "cpu": 100.0},
        {"students": 50, "jobs": 3, "notebooks": 250, "seconds": 50.0, "per_notebook": [0.5], "peak_bytes": 500 * 2**20,
         "gradebook_rows": 30.0, "kernels": "forked", "cpu": 110.0},
        {"students": 50, "jobs": 1, "notebooks": 250, "seconds": 250.0, "per_notebook": [1.0], "peak_bytes": 200 * 2**20,
         "gradebook_rows": 30.0, "kernels": "normal", "cpu": 250.0},
        {"students": 200, "jobs": 1, "notebooks": 1000, "seconds": 400.0, "per_notebook": [0.4], "peak_bytes": 200 * 2**20,
         "gradebook_rows": 30.0, "kernels": "forked", "cpu": 400.0},
        {"students": 200, "jobs": 3, "notebooks": 1000, "seconds": 200.0, "per_notebook": [0.5], "peak_bytes": 500 * 2**20,
         "gradebook_rows": 30.0, "kernels": "forked", "cpu": 420.0},
        {"students": 200, "jobs": 3, "notebooks": 1000, "seconds": 500.0, "per_notebook": [1.5], "peak_bytes": 500 * 2**20,
         "gradebook_rows": 30.0, "kernels": "normal", "cpu": 1000.0},
    ],
}


def test_the_targets_table_is_computed_from_the_raw_numbers(tmp_path):
    text = benchmark.render(json.loads(json.dumps(RAW)))
    # the slowest lesson's autograde with forked kernels, 0.6 s, over the floor's 0.7 s
    assert ("| nbgrader autograde per notebook / floor (slowest lesson, lesson-2) | 0.86 x | "
            "at most 0.8 x the floor per notebook | no |") in text
    # 50 learners, 3 workers: 50 s / 250 notebooks = 0.2 s, over 0.7 s
    assert ("| peercourse autograde, 50 learners, 3 workers: wall time per notebook / floor | 0.29 x | "
            "at most 0.35 x the floor per notebook | yes |") in text
    # 100 CPU s / 250 against 250 CPU s / 250: the largest cohort graded both ways by one worker
    assert ("| Grading CPU seconds per notebook, 50 learners, 1 worker: with the fast path / without | "
            "0.40 s / 1.00 s = 0.40 | at most half of the course's without the fast path | yes |") in text
    assert "| peercourse autograde, 5 learners: 3 workers against 1 | 8.0 s against 10.0 s | faster than one worker | yes |" in text
    assert "| Slowest lesson run (lesson-1) - floor | +0.40 s | at most the floor + 0.5 s | yes |" in text
    assert "| import peercourse (net of Python start-up) | 0.075 s | at most 0.3 s | yes |" in text
    assert "| Saving an answer, 99th percentile | 30.0 ms | at most 20 ms at the 99th percentile | no |" in text
    assert "| Parallel autograde, 200 learners, 3 workers | 2.00 x faster | at least 1.8 x on 2 cores | yes |" in text
    # section 1-2: the forked rows in their own table, not among the lessons
    assert "| lesson-1, forked kernel | 0.30 s (0.30-0.30) | 0.43 |" in text
    assert "| floor, forked kernel | 0.10 s (0.10-0.10) | 0.14 |" in text
    assert "| lesson-1, forked | " not in text
    # section 5: each lesson both ways, with CPU per notebook
    assert "| this course, lesson-1, without the fast path | 1.00 s (0.90-1.10) | 1.43 | 0.90 s (0.90-0.90) |" in text
    assert "| this course, lesson-1, with the fast path | 0.50 s (0.50-0.50) | 0.71 | 0.30 s (0.30-0.30) |" in text
    assert "| stock nbgrader, plain notebook | 0.90 s (0.80-1.00) | 1.29 | 0.80 s (0.80-0.80) |" in text
    assert "| execution, all of it (nbgrader's Execute) | 0.800 | 0.300 |" in text
    assert "| total per notebook | 1.100 | 0.500 |" in text
    assert "| show cells printed by the grading process (ShownItems) | 0.000 | 0.004 |" in text
    # the kernel: 0.5 + 0.0 started normally, 0.05 + 0.02 forked; bookkeeping 0.5 - 0.3 against 1.1 - 0.8
    assert "a kernel takes 0.50 s from start to answering" in text and "Forked from the template it takes 0.07 s" in text
    assert "Stopping it takes 0.02 s instead of 0.10 s" in text
    assert "the kernel runs all 31 of the lesson's code cells, in 0.20 s" in text
    assert "the tests, in 0.15 s; the grading process prints" in text and "itself, with the course's own Lesson.show, in 0.004 s" in text
    assert "saving each score) takes 0.20 s against 0.30 s" in text
    assert "nbclient would otherwise use costs\n+0.20 s more per notebook" in text  # graceful 0.9 - 0.7
    # section 6: both kinds of rows, CPU per notebook; speed-ups only where both worker counts ran
    assert "| 50 | 1 | without | 250 | 250.0 s | 1.00 s | 1.00 s (1.00-1.00) | 1.00 s | 200 MiB |" in text
    assert "| 200 | 3 | with | 1000 | 200.0 s | 0.20 s | 0.50 s (0.50-0.50) | 0.42 s | 500 MiB |" in text
    assert "with the fast path, sequential wall time over parallel:\n\n- 5 learners: 1.25 x\n- 50 learners: 2.00 x\n- 200 learners: 2.00 x" in text
    assert "without the fast path, sequential wall time over parallel" not in text
    assert "from 5 to 200 learners the time per notebook changes\nby a factor of 1.00" in text
    assert "+0.40 s over the floor,\nof which 0.20 s is what any notebook of 31 code cells pays" in text
    assert "and 0.20 s is the course's own\nwork" in text
    assert "Importing nbgrader takes 2.5 s here" in text
    assert "5,000 learners x 5 graded lessons is 25,000 notebooks" in text
    # 25,000 x 0.2 s = 1.4 hours on this machine; 80 times the cores: 1.04 minutes, 24,000 notebooks a
    # minute, x 30 rows / 60 s = 12,000 row writes a second
    assert "one such machine grades them in 1.4 hours" in text and "would take\nabout 1 minute, if" in text
    assert "24,000 notebooks a minute is about 12,000 row writes a second" in text
    assert "each of a lesson's 43 course cells" in text


def test_render_only_rewrites_the_page_from_saved_numbers(tmp_path):
    raw, out = tmp_path / "raw.json", tmp_path / "performance.md"
    raw.write_text(json.dumps(RAW))
    assert benchmark.main(["--render-only", "--raw", str(raw), "--out", str(out)]) == 0
    assert out.read_text().startswith("# Performance\n")


def test_the_huge_learner_cell_section_is_computed_from_the_raw_numbers():
    raw = json.loads(json.dumps(RAW))
    assert "Not measured in this run" in benchmark.render(raw)
    mib = 2**20
    raw["feedback"] = {"cell_bytes": 8 * mib,
                       "plain": {"seconds": [4.0, 3.9, 4.5], "peak_bytes": 260 * mib, "page_bytes": 200 * 1024},
                       "huge-cell": {"seconds": [4.5, 4.4, 4.6], "peak_bytes": 275 * mib, "page_bytes": 300 * 1024}}
    text = benchmark.render(raw)
    assert "| answers only | 4.00 s (3.90-4.50) | 260 MiB | 200 KiB |" in text
    assert "| answers and an 8 MiB learner cell | 4.50 s (4.40-4.60) | 275 MiB | 300 KiB |" in text
    assert "so the huge cell costs +0.50 s and +15 MiB." in text


def test_the_browser_edition_section_and_its_targets_are_computed_from_the_raw_numbers():
    raw = json.loads(json.dumps(RAW))
    assert "python bench/benchmark.py --site-only" in benchmark.render(raw)  # not measured: says how to
    visit = lambda ready, run_all, megabytes: {"ready": ready, "run_all": run_all, "bytes": megabytes * 1e6,  # noqa: E731
                                                "requests": 150}
    raw["site"] = {"build_seconds": 12.34, "site_bytes": 40.5e6, "site_files": 1234,
                   "cold": [visit(10.0, 3.0, 26.0), visit(12.0, 4.0, 31.0), visit(11.0, 5.0, 27.0)],
                   "warm": [visit(7.0, 3.0, 1.0), visit(8.0, 3.5, 1.2), visit(7.5, 2.5, 0.8)]}
    text = benchmark.render(raw)
    assert "| Browser edition: the site's size | 40.5 MB | at most 50 MB | yes |" in text
    assert "| Browser edition: what a first visit to Lesson 1 downloads | 27.0 MB | at most 30 MB | yes |" in text
    assert "| first visit | 27.0 MB (26.0-31.0) | 150 | 11.00 s (10.00-12.00) | 4.00 s (3.00-5.00) |" in text
    assert "| again, cache warm | 1.0 MB (0.8-1.2) | 150 | 7.50 s (7.00-8.00) | 3.00 s (2.50-3.50) |" in text
    assert "`make site` built the site in 12.3 s" in text and "1,234 files, 40.5 MB" in text
    assert "Lesson 1 runs top to bottom in 1.10 s (1.00-1.20), kernel start included" in text
    raw["site"]["cold"][1]["bytes"] = 35e6
    raw["site"]["cold"][2]["bytes"] = 33e6
    assert "| Browser edition: what a first visit to Lesson 1 downloads | 33.0 MB | at most 30 MB | no |" in benchmark.render(raw)


RECORDED = """\
2026-12-02 14:42:06.640 UTC [29222] LOG:  statement: BEGIN
2026-12-02 14:42:06.641 UTC [29222] LOG:  execute <unnamed>: INSERT INTO student (id, email) VALUES ($1::VARCHAR, $2::VARCHAR)
2026-12-02 14:42:06.641 UTC [29222] DETAIL:  parameters: $1 = 'learner-1', $2 = NULL
2026-12-02 14:42:06.642 UTC [29222] LOG:  statement: COMMIT
2026-12-02 14:42:06.717 UTC [29224] LOG:  execute <unnamed>: INSERT INTO grade (id, notebook_id, cell_id) VALUES ($1::VARCHAR, $2::VARCHAR, $3::VARCHAR), ($4::VARCHAR, $5::VARCHAR, $6::VARCHAR)
2026-12-02 14:42:06.717 UTC [29224] DETAIL:  parameters: $1 = 'aa01', $2 = 'nb01', $3 = 'cell01', $4 = 'aa02', $5 = 'nb01', $6 = 'cell''s'
2026-12-02 14:42:07.943 UTC [29224] LOG:  execute _pg3_1: SELECT grade.id
	FROM grade WHERE grade.id = $1::VARCHAR
2026-12-02 14:42:07.943 UTC [29224] DETAIL:  parameters: $1 = 'aa02'
2026-12-02 14:42:07.950 UTC [29224] LOG:  execute _pg3_1: UPDATE grade SET auto_score=$1 WHERE grade.id = $2::VARCHAR
2026-12-02 14:42:07.950 UTC [29224] DETAIL:  parameters: $1 = '1.5', $2 = 'aa01'
2026-12-02 14:42:07.951 UTC [29224] LOG:  statement: DEALLOCATE _pg3_1
2026-12-02 14:42:07.952 UTC [29224] LOG:  statement: COMMIT
"""


def test_the_recorded_gradebook_traffic_becomes_a_pgbench_script_with_new_ids_each_run():
    script, counts = benchmark.replay_script(RECORDED.splitlines(), {"aa01", "aa02", "nb01"}, "learner-1")
    assert script.splitlines() == [
        "\\set uid random(1, 9000000000000000000)",
        "BEGIN;",
        "INSERT INTO student (id, email) VALUES (('load-' || :uid)::VARCHAR, NULL::VARCHAR);",
        "COMMIT;",
        "INSERT INTO grade (id, notebook_id, cell_id) VALUES (md5(:uid || '-0')::VARCHAR, md5(:uid || '-2')::VARCHAR, "
        "'cell01'::VARCHAR), (md5(:uid || '-1')::VARCHAR, md5(:uid || '-2')::VARCHAR, 'cell''s'::VARCHAR);",
        "SELECT grade.id FROM grade WHERE grade.id = md5(:uid || '-1')::VARCHAR;",
        "UPDATE grade SET auto_score='1.5' WHERE grade.id = md5(:uid || '-0')::VARCHAR;",
        "COMMIT;",
    ]
    assert counts == {"statements": 7, "inserted": 3, "updated": 1, "commits": 2, "connections": 2}


def test_the_cluster_section_is_computed_from_the_raw_numbers():
    raw = json.loads(json.dumps(RAW))
    assert "python bench/benchmark.py --cluster-only" in benchmark.render(raw)  # not measured: says how to
    assert "The gradebook server's own rate is section 9's (`--cluster-only`)." in benchmark.render(raw)
    level = lambda clients, rate, latency: {"clients": clients, "notebooks_per_second": [rate - 1, rate, rate + 0.5],  # noqa: E731
                                            "latency_ms": [latency, latency + 10, latency - 10], "failed": 0}
    raw["cluster"] = {"students": 50, "jobs": 3, "server": "15.18",
                      "traffic": {"statements": 392, "inserted": 19, "updated": 12, "commits": 39, "connections": 14},
                      "load": [level(1, 8.0, 125.0), level(2, 10.0, 200.0), level(4, 9.0, 444.4)],
                      "pool": {"seconds": 20.0, "notebooks": 50, "machines": 1},
                      "dask": {"seconds": 30.0, "notebooks": 50, "machines": 3}}
    text = benchmark.render(raw)
    assert "392 statements on 14 connections and 39 commits" in text and "writing 19 new rows" in text
    assert "| Clients | Notebooks a second, median (range of 3 rounds) |" in text
    assert "| 1 | 8.0 (7.0-8.5) | 248 | 125 ms |\n| 2 | 10.0 (9.0-10.5) | 310 | 200 ms |\n| 4 | 9.0 (8.0-9.5) | 279 | 444 ms |" in text
    # 10 notebooks a second at most: 5,000 x 5 graded lessons / 10 / 60 = 41.7 minutes; 50,000: 6.9 hours
    assert "The server held at most 10.0 notebooks, 310 row writes, a second, at\n2 clients" in text
    assert "42 minutes for 5,000 learners x 5 graded lessons and 6.9 hours for 50,000" in text
    assert "| `peercourse autograde --jobs 3` (the local pool) | 50 | 20.0 s | 0.40 s |" in text
    assert "3 `dask worker` processes on this machine | 50 | 30.0 s | 0.60 s |" in text
    # beyond one machine: 200 learners x 5 lessons in 200 s with 3 workers = 0.2 s a notebook; 25,000 notebooks
    # on 80 times this machine take 25,000 x 0.2 / 80 = 62.5 s, 24,000 a minute; the server holds 600 a minute
    assert "holds: 310 row writes\na second, 600 notebooks a minute.\nThat is less than the 24,000 a minute" in text
