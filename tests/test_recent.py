"""The process stores of recent values: bounded, right under threads, and emptied of a project on request."""

import threading

from coding import recent


def test_many_threads_making_and_dropping_at_once_get_each_keys_own_value_and_the_bound_holds():
    kept: recent.Recent[tuple] = recent.Recent(64, of_projects=True)
    wrong, failures = [], []

    def work(thread: int) -> None:
        try:
            for n in range(3000):
                key = (n % 5, n % 200)
                value = kept.made(key, lambda: ("made", key))
                if value != ("made", key):
                    wrong.append((key, value))
                if n % 97 == thread:
                    recent.forget(n % 5)
        except Exception as error:  # any exception in a thread is a failure of the store
            failures.append(error)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == [] and wrong == []
    assert len(kept._values) <= 64


def test_forget_empties_only_that_projects_keys_and_only_of_project_keyed_stores():
    by_project: recent.Recent[str] = recent.Recent(8, of_projects=True)
    by_content: recent.Recent[str] = recent.Recent(8)
    for store in (by_project, by_content):
        store.put((1, "a"), "one")
        store.put((2, "a"), "two")
    recent.forget(1)
    assert by_project.get((1, "a")) is None and by_project.get((2, "a")) == "two"
    assert by_content.get((1, "a")) == "one"
