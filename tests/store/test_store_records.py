"""What the store records and gives back: pages, attempts, hints, position, learners, summaries, reset."""

from datetime import UTC, datetime, timedelta

import pytest

from gdtui.store import LessonProgress, Store, StoreError, format_report


def test_a_new_store_has_no_progress_and_no_notice(store):
    assert store.notice is None
    assert store.path.name == Store.FILENAME
    assert store.path.is_file()
    assert store.lesson_progress("intro") == LessonProgress(frozenset(), frozenset(), 0, {}, 0)
    assert store.position() is None
    assert store.last_activity() is None
    assert store.learners() == []
    assert store.summary() == []
    assert store.history() == []


def test_pages_seen_are_recorded_once_each(store):
    for page in (0, 1, 1, 3):
        store.page_seen("intro", page)
    store.page_seen("other", 7)
    assert store.lesson_progress("intro").pages_seen == {0, 1, 3}
    assert store.lesson_progress("other").pages_seen == {7}


def test_an_exercise_is_solved_once_a_correct_attempt_is_recorded(store):
    store.attempt("intro", 2, "q1", "3", False)
    assert store.lesson_progress("intro").solved == frozenset()
    store.attempt("intro", 2, "q1", "4", True)
    store.attempt("intro", 2, "q1", "4", True)
    store.attempt("intro", 3, "q2", "no", False)
    progress = store.lesson_progress("intro")
    assert progress.solved == {(2, "q1")}
    assert progress.attempts == 4
    assert [(a.response, a.correct) for a in store.history("intro")] == [
        ("3", False),
        ("4", True),
        ("4", True),
        ("no", False),
    ]


def test_each_hint_used_unfolds_one_more_and_counts_per_exercise(store):
    assert [store.hint_used("intro", 1, "q1") for _ in range(3)] == [1, 2, 3]
    assert store.hint_used("intro", 1, "q2") == 1
    assert store.hint_used("intro", 2, "q1") == 1  # the same id on another page is another exercise
    progress = store.lesson_progress("intro")
    assert progress.hints == {(1, "q1"): 3, (1, "q2"): 1, (2, "q1"): 1}
    assert progress.hints_used == 5


def test_hints_stop_at_the_limit_given(store):
    assert [store.hint_used("intro", 1, "q1", limit=2) for _ in range(4)] == [1, 2, 2, 2]
    assert store.lesson_progress("intro").hints_used == 2


def test_reopening_resumes_at_the_last_page_seen(tmp_path):
    with Store.open(tmp_path) as first:
        first.page_seen("intro", 0)
        first.page_seen("gradients", 2)
        first.attempt("intro", 0, "q", "x", True)  # answering does not move the learner
    with Store.open(tmp_path) as again:
        assert again.position() == ("gradients", 2)
        assert again.lesson_progress("intro").solved == {(0, "q")}


def test_two_learners_in_one_store_are_kept_apart(tmp_path):
    with Store.open(tmp_path, "ann") as ann, Store.open(tmp_path, "bob") as bob:
        ann.page_seen("intro", 1)
        ann.attempt("intro", 1, "q", "a", True)
        ann.hint_used("intro", 1, "q")
        bob.page_seen("intro", 4)
        assert ann.lesson_progress("intro").pages_seen == {1}
        assert bob.lesson_progress("intro") == LessonProgress(frozenset({4}), frozenset(), 0, {}, 0)
        assert (ann.position(), bob.position()) == (("intro", 1), ("intro", 4))
        assert ann.learners() == bob.learners() == ["ann", "bob"]
        assert ann.lesson_progress("intro", learner="bob") == bob.lesson_progress("intro")
        assert ann.position("bob") == ("intro", 4)


def test_activity_times_are_recent_utc_and_move_forward(store):
    before = datetime.now(UTC)
    store.page_seen("intro", 0)
    first = store.last_activity()
    store.hint_used("intro", 0, "q")
    assert before <= first <= store.last_activity() <= datetime.now(UTC)
    assert first.utcoffset() == timedelta(0)


def test_summary_counts_each_lesson_touched_in_the_order_first_touched(store):
    store.page_seen("b-lesson", 0)
    store.page_seen("b-lesson", 1)
    store.attempt("b-lesson", 1, "q1", "1", True)
    store.attempt("b-lesson", 1, "q2", "2", False)
    store.hint_used("b-lesson", 1, "q2")
    store.hint_used("b-lesson", 1, "q2")
    store.attempt("a-lesson", 0, "q", "x", True)  # touched without a page seen
    b, a = store.summary()
    assert (b.lesson, b.pages_seen, b.solved, b.hints_used, b.attempts) == ("b-lesson", 2, 1, 2, 2)
    assert (a.lesson, a.pages_seen, a.solved, a.hints_used, a.attempts) == ("a-lesson", 0, 1, 0, 1)
    assert b.first_activity <= b.last_activity <= a.first_activity


def test_summary_of_another_learner_is_theirs(tmp_path):
    with Store.open(tmp_path, "teacher") as teacher, Store.open(tmp_path, "kim") as kim:
        kim.page_seen("intro", 0)
        assert teacher.summary() == []
        assert [s.lesson for s in teacher.summary("kim")] == ["intro"]


def test_reset_clears_one_learner_and_leaves_the_others(tmp_path):
    with Store.open(tmp_path, "ann") as ann, Store.open(tmp_path, "bob") as bob:
        for s in (ann, bob):
            s.page_seen("intro", 0)
            s.attempt("intro", 0, "q", "a", True)
            s.hint_used("intro", 0, "q")
        ann.reset()
        assert ann.summary() == [] and ann.position() is None and ann.history() == []
        assert ann.learners() == ["bob"]
        ann.reset("bob")
        assert bob.summary() == [] and ann.learners() == []
        ann.page_seen("intro", 3)  # and the store still works afterwards
        assert ann.position() == ("intro", 3)


def test_a_closed_store_raises_store_error(tmp_path):
    s = Store.open(tmp_path)
    s.close()
    s.close()  # closing twice is harmless
    with pytest.raises(StoreError):
        s.page_seen("intro", 0)


def test_report_lists_course_lessons_with_totals_and_lessons_the_course_lacks(store):
    store.page_seen("intro", 0)
    store.page_seen("intro", 1)
    store.attempt("intro", 1, "q", "4", True)
    store.hint_used("intro", 1, "q")
    store.page_seen("gone", 0)
    titles = {"intro": ("What is a gradient?", 5, 2), "bowl": ("A bowl and a ravine", 4, 3)}
    lines = format_report(store.summary(), titles).splitlines()
    stamp = store.last_activity().strftime("%Y-%m-%d %H:%M UTC")
    assert lines[0].split() == ["Lesson", "Pages", "Exercises", "Hints", "Last", "activity"]
    assert lines[1].split() == ["What", "is", "a", "gradient?", "2/5", "1/2", "1", *stamp.split()]
    assert lines[2].split() == ["A", "bowl", "and", "a", "ravine", "0/4", "0/3", "0", "-"]
    assert set(lines[3]) == {"-"}
    assert lines[4].split()[:4] == ["Total", "2/9", "1/5", "1"]
    assert lines[5].split()[:6] == ["gone", "(not", "in", "this", "course)", "1"]
    assert len({line.index("Pages") for line in lines[:1]} | {lines[1].index("2/5")}) == 1  # columns align


def test_report_without_progress_says_so():
    assert format_report([], {"intro": ("Intro", 3, 1)}) == "No progress yet."


def test_report_shortens_long_titles(store):
    store.page_seen("intro", 0)
    report = format_report(store.summary(), {"intro": ("x" * 80, 1, 0)})
    assert "x" * 39 + "…" in report and "x" * 41 not in report
