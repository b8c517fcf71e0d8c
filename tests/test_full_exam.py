"""The full practice exam in the kernel, without a browser: forms, the clock, state kept in
the answers file across reopening, time running out, results, and the widgets driven
headlessly (as ipywidgets' own tests drive theirs)."""
from __future__ import annotations

import pytest

from peercourse import exam_bank, exam_view, full_exam
from peercourse.certification import EXAM_AREAS
from peercourse.full_exam import Clock, FormError, FullExam, assemble, clock_text, form_items

from conftest import _item, write_bank

PLAIN = {"A": "Offer a leaflet about the program.", "B": "Tell them your own story first.",
         "C": "Wait in silence for a while.", "D": "Explain the program rules again."}
PER_AREA = 5


def area_items(area_number: int, count: int = PER_AREA) -> list[dict]:
    return [_item(f"xb-a{area_number}-{n}", "single_best", key="ABCD"[n % 4], points=1, options=dict(PLAIN),
                  exam_area=EXAM_AREAS[area_number], prompt=f"Situation {n} of area {area_number}.\n\nWhat should they do?")
            for n in range(count)]


@pytest.fixture
def bank_folder(tmp_path):
    """An exam-practice folder whose bank has PER_AREA items in each of the 8 areas."""
    folder = tmp_path / "exam-practice"
    (folder / exam_bank.FOLDER).mkdir(parents=True)
    for number in range(len(EXAM_AREAS)):
        write_bank(folder / exam_bank.FOLDER, area_items(number), lesson=f"area-{number}")
    return folder


def pool(folder):
    banks, problems = exam_bank.read_bank(folder)
    assert problems == []
    return [item for _, bank in banks for item in bank.items.values()]


class FakeClock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def test_a_form_gives_each_area_an_even_share_and_a_seed_gives_the_same_form(bank_folder):
    items = pool(bank_folder)
    form = assemble(items, 16, seed=5)
    assert [sum(item.exam_area == area for item in form) for area in EXAM_AREAS] == [2] * 8
    assert [item.id for item in assemble(items, 16, seed=5)] == [item.id for item in form]
    assert [item.id for item in assemble(items, 16, seed=6)] != [item.id for item in form]
    # an area short of items gives its share to the others, in the outline's order
    short = [item for item in items if item.exam_area != EXAM_AREAS[0] or item.id == "xb-a0-0"]
    uneven = assemble(short, 17, seed=5)
    assert [sum(item.exam_area == area for item in uneven) for area in EXAM_AREAS] == [1, 3, 3, 2, 2, 2, 2, 2]


def test_the_two_fixed_forms_share_no_item_and_too_small_a_bank_says_so(bank_folder):
    items = pool(bank_folder)
    first, second = form_items(items, "1", 16), form_items(items, "2", 16)
    assert len(first) == len(second) == 16 and not {i.id for i in first} & {i.id for i in second}
    assert [i.id for i in form_items(items, "r3", 16)] == [i.id for i in form_items(items, "r3", 16)]
    with pytest.raises(FormError, match="^the exam bank has 10 items for this form, and a form needs 30$"):
        form_items(items, "2", 30)  # 40 items: form 1 takes 30 of them
    with pytest.raises(FormError, match="there is no form 'x'"):
        form_items(items, "x", 16)


def test_the_clock_runs_only_while_started():
    clock = Clock(limit=600)
    clock.start(100.0)
    assert clock.left(160.0) == 540.0
    clock.pause(160.0)
    assert clock.left(900.0) == 540.0  # paused: time away does not count
    clock.start(900.0)
    assert clock.left(1500.0) == 0.0 and clock.used_at(1500.0) == 660.0
    assert clock_text(5399.2) == "1:30:00" and clock_text(59) == "0:00:59"


def test_a_reopened_exam_goes_on_with_its_answers_flags_place_and_the_time_that_was_left(bank_folder):
    now = FakeClock()
    exam = FullExam("1", bank_folder, size=16, minutes=20, now=now)
    first, second = list(exam.bank.items)[:2]
    exam.responses.save(first, "A")
    exam.toggle_flag(second)
    exam.position = 7
    now.t += 100
    exam.save_state()
    now.t += 5000  # closed for a long while: it does not count
    again = FullExam("1", bank_folder, size=16, minutes=20, now=now)
    assert again.time_left() == 20 * 60 - 100
    assert (again.flagged, again.position, again.submitted) == ({second}, 7, None)
    assert again.saved_answers()[first][0] == "A"
    assert again.unanswered() == list(range(2, 17)) and again.flagged_numbers() == [2]


def test_when_time_is_up_the_exam_is_submitted_as_it_stands(bank_folder):
    now = FakeClock()
    exam = FullExam("1", bank_folder, size=16, minutes=1, now=now)
    now.t += 59
    assert exam.tick() is False
    now.t += 1
    assert exam.tick() is True and exam.submitted
    reopened = FullExam("1", bank_folder, size=16, minutes=1, now=now)
    assert reopened.submitted == exam.submitted and reopened.time_left() == 0.0


def test_results_name_the_weakest_areas_and_the_missed_items_can_be_retried(bank_folder):
    exam = FullExam("1", bank_folder, size=16, minutes=20, now=FakeClock())
    items = list(exam.bank.items.values())
    right = {item.id: item.key for item in items if item.exam_area not in EXAM_AREAS[6:]}
    right[next(i.id for i in items if i.exam_area == EXAM_AREAS[7])] = next(
        i.key for i in items if i.exam_area == EXAM_AREAS[7])  # one of two right in Crisis Management
    exam.responses.save_many(right)
    assert exam.weakest_areas() == [EXAM_AREAS[6], EXAM_AREAS[7]]  # 0 of 2, then 1 of 2
    missed = exam.missed()
    assert len(missed) == 3
    retry = exam.retry_missed()
    assert list(retry.bank.items) == missed and retry.responses.path.name == "full-exam-1-16-retry.responses.json"
    assert exam.results_html().startswith(
        "<p><strong>Your weakest exam areas on this form: Resource Linkage, Crisis Management.</strong>")


def test_the_widgets_move_flag_break_summarise_and_submit(bank_folder, monkeypatch):
    monkeypatch.setattr(exam_view, "BREAK_AFTER", 3)
    now = FakeClock()
    exam = FullExam("1", bank_folder, size=16, minutes=20, now=now)
    view = exam_view.ExamView(exam)
    assert view.header.value.startswith("<h2>Question 1 of 16</h2><p>Time left: <strong>0:20:00")
    assert view.previous.disabled
    view.flag.click()
    assert exam.flagged == {list(exam.bank.items)[0]} and view.flag.description == "Remove flag"
    view.next.click(), view.next.click()
    assert exam.position == 2
    view.next.click()  # the end of question 3: the break is offered
    assert view.showing == "break" and exam.position == 2
    take, _ = view.body.children[1].children
    take.click()
    assert exam.on_break and "paused for your break" in view.header.value
    now.t += 900  # a long break: the timer stood still
    view.body.children[1].click()  # Continue
    assert (exam.on_break, exam.position, exam.time_left()) == (False, 3, 20 * 60)
    view.review.click()
    assert view.showing == "summary"
    summary = view.body.children[0].value
    assert "You have answered 0 of 16 questions." in summary and "Flagged for review: 1." in summary
    view.body.children[2].click()  # Submit my answers
    assert exam.submitted and view.showing == "results"
    assert "Score: 0 of 16 points (0%)." in view.body.children[0].value
    now.t += 10_000
    view.tick(1)  # the timer after submitting: nothing changes
    assert view.showing == "results"


def test_the_timer_submits_a_form_whose_time_runs_out_while_it_is_open(bank_folder):
    now = FakeClock()
    exam = FullExam("2", bank_folder, size=16, minutes=1, now=now)
    view = exam_view.ExamView(exam)
    now.t += 61
    view.tick(1)
    assert view.showing == "results" and exam.submitted
    assert view.body.children[0].value.startswith("<p><strong>Time is up: your answers were submitted as they stood.")


def test_the_real_exams_numbers():
    assert (full_exam.EXAM_QUESTIONS, full_exam.EXAM_MINUTES, full_exam.BREAK_AFTER) == (120, 150, 60)  # domain.md


def test_my_progress_lists_each_submitted_exam_and_counts_it_toward_readiness(bank_folder):
    from peercourse import progress

    exam = FullExam("1", bank_folder, size=16, minutes=20, now=FakeClock())
    items = list(exam.bank.items.values())
    exam.responses.save_many({item.id: item.key for item in items[:4]})  # 4 of 16 right
    FullExam("2", bank_folder, size=16, minutes=20, now=FakeClock())  # opened, never submitted: not listed
    assert progress.read(bank_folder.parent).exams == []
    exam.submit()
    seen = progress.read(bank_folder.parent)
    (result,) = seen.exams
    assert (result.form, result.submitted, result.earned, result.possible) == ("1", exam.submitted, 4.0, 16.0)
    right = {area: sum(item.exam_area == area for item in items[:4]) for area in EXAM_AREAS}
    assert result.by_area == {area: (float(right[area]), 2.0) for area in EXAM_AREAS}
    assert {area: tuple(tally) for area, tally in seen.by_area.items()} == {
        area: (float(right[area]), 2.0, 2) for area in EXAM_AREAS}  # no lessons here: the exam alone
    html = progress.exams_html(seen)
    assert f"<td>Form 1</td><td>{exam.submitted.replace('T', ' ')[:16]} UTC</td><td>4 of 16 (25%)</td>" in html


def test_readiness_adds_short_practice_and_each_lessons_latest_self_study_grading(bank_folder):
    import json

    from peercourse import progress, self_study
    from peercourse.exam_practice import ExamPractice

    practice = ExamPractice(seed=7, count=8, directory=bank_folder)
    items = list(practice.bank.items.values())
    wrong = {item.id: "B" if item.key == "A" else "A" for item in items[4:6]}
    practice.responses.save_many({**{item.id: item.key for item in items[:4]}, **wrong})  # 6 answered, 4 right
    FullExam("1", bank_folder, size=16, minutes=20, now=FakeClock()).responses.save(items[0].id, items[0].key)  # not submitted
    tries = [  # lesson-9 twice (only the latest counts), and a record from before by_area existed
        {"lesson": "lesson-9", "graded_at": "2026-11-30T10:00:00+00:00", "points": 1, "possible": 4,
         "rubric_possible": 0, "feedback": "f.html", "by_area": {"Advocacy": [1.0, 4.0, 2]}},
        {"lesson": "lesson-8", "graded_at": "2026-11-30T11:00:00+00:00", "points": 2, "possible": 2,
         "rubric_possible": 0, "feedback": "g.html"},
        {"lesson": "lesson-9", "graded_at": "2026-12-01T10:00:00+00:00", "points": 3, "possible": 4,
         "rubric_possible": 0, "feedback": "f.html", "by_area": {"Advocacy": [2.0, 2.0, 1], "Crisis Management": [1.0, 2.0, 1]}},
    ]
    (bank_folder.parent / self_study.ATTEMPTS).write_text(json.dumps({"attempts": tries}))
    seen = progress.read(bank_folder.parent)
    expected = {area: [0.0, 0.0, 0] for area in EXAM_AREAS}
    expected["Advocacy"] = [2.0, 2.0, 1]
    expected["Crisis Management"] = [1.0, 2.0, 1]
    for n, item in enumerate(items[:6]):
        tally = expected[item.exam_area]
        tally[0] += 1.0 if n < 4 else 0.0
        tally[1] += 1.0
        tally[2] += 1
    assert seen.by_area == expected
    assert sum(tally[2] for tally in seen.by_area.values()) == 8  # 6 practice questions, 2 graded items


def test_the_readiness_view_names_the_weakest_areas_of_those_with_enough_scored():
    from peercourse import progress

    state = progress.CourseProgress(by_area={area: [0.0, 0.0, 0] for area in EXAM_AREAS})
    state.by_area.update({
        "Interpersonal Skills": [8.0, 10.0, 10],  # 80%
        "Recovery Support": [5.0, 10.0, 10],  # 50%: the weakest
        "Advocacy": [12.0, 12.0, 12],  # full marks: never named weak
        "Crisis Management": [1.0, 9.0, 9],  # 11%, but under 10 scored: too few to compare
    })
    assert progress.readiness(state) == {
        "weakest": ["Recovery Support", "Interpersonal Skills"],
        "too_few": ["Administrative Responsibilities", "Behavioral Health Foundations", "Community Inclusion",
                    "Resource Linkage", "Crisis Management"],
        "ready_after": 10,
    }
    html = progress.area_table_html(state)
    assert "<tr><td>Crisis Management</td><td>9</td><td>1 of 9 points (11%)</td></tr>" in html
    assert "<tr><td>Resource Linkage</td><td>0</td><td>nothing scored yet</td></tr>" in html
    assert "Your weakest exam areas so far: Recovery Support, Interpersonal Skills." in html
    assert "passing score and the weight of each area are not public" in html


def test_in_the_browser_the_clock_runs_on_the_event_loop_and_starts_no_thread(bank_folder, monkeypatch):
    """Pyodide cannot start threads (browser_edition.py): there the clock is a coroutine on the
    page's event loop. Here: a loop of our own, and one real second for the first beat."""
    import asyncio
    import sys
    import threading

    monkeypatch.setattr(sys, "platform", "emscripten")
    monkeypatch.setattr(threading.Thread, "start", lambda self: pytest.fail("a thread was started"))
    now = FakeClock()
    exam = FullExam("2", bank_folder, size=16, minutes=1, now=now)
    view = exam_view.ExamView(exam)

    async def an_open_exam():
        view.start_timer()
        now.t += 61  # the time runs out; the next beat submits
        for _ in range(40):
            await asyncio.sleep(0.1)
            if exam.submitted:
                break

    asyncio.run(an_open_exam())
    assert view.showing == "results" and exam.submitted
    assert view.body.children[0].value.startswith("<p><strong>Time is up: your answers were submitted as they stood.")
