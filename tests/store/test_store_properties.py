"""Whatever text the course uses for slugs and exercise ids, and whatever the learner types, comes back
from the store exactly as it went in."""

import tempfile

from hypothesis import given, settings
from hypothesis import strategies as st

from gdtui.store import Store

text = st.text(max_size=40)
pages = st.integers(min_value=-(2**63), max_value=2**63 - 1)
attempts = st.lists(st.tuples(text, pages, text, text, st.booleans()), max_size=6)


@settings(max_examples=60, deadline=None)
@given(learner=st.text(min_size=1, max_size=20), lesson=text, page=pages, attempts=attempts)
def test_slugs_ids_and_responses_round_trip_exactly(learner, lesson, page, attempts):
    with tempfile.TemporaryDirectory() as directory:
        with Store.open(directory, learner) as store:
            store.page_seen(lesson, page)
            for slug, p, exercise, response, correct in attempts:
                store.attempt(slug, p, exercise, response, correct)
                assert store.hint_used(slug, p, exercise) >= 1
        with Store.open(directory, learner) as store:
            assert store.learners() == [learner]
            assert store.position() == (lesson, page)
            assert page in store.lesson_progress(lesson).pages_seen
            assert [
                (a.lesson, a.page, a.exercise, a.response, a.correct) for a in store.history()
            ] == attempts
            for slug in {a[0] for a in attempts}:
                mine = [a for a in attempts if a[0] == slug]
                progress = store.lesson_progress(slug)
                assert progress.solved == {(p, e) for _, p, e, _, ok in mine if ok}
                assert progress.hints == {
                    (p, e): sum(1 for _, q, f, _, _ in mine if (q, f) == (p, e)) for _, p, e, _, _ in mine
                }
                assert progress.attempts == len(mine)
            touched = {lesson} | {a[0] for a in attempts}
            assert {s.lesson for s in store.summary()} == touched
