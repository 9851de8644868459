"""After pruning, freed heap pages go back to the system, at most once every `EVERY` seconds
(each trim walks every arena), and a system without glibc's malloc_trim just skips it."""
from __future__ import annotations

from gclap_sandbox.retention import heap


def test_the_heap_is_trimmed_after_pruning_at_most_once_in_a_while(monkeypatch):
    calls: list[int] = []
    trimmer = heap.HeapTrimmer()
    trimmer._trim = calls.append
    moments = iter([100.0, 100.0 + heap.EVERY / 2, 100.0 + heap.EVERY])
    monkeypatch.setattr(heap.time, "monotonic", lambda: next(moments))
    for _ in range(3):
        trimmer.after_pruning()
    assert calls == [0, 0]


def test_without_malloc_trim_pruning_goes_on_without_it(monkeypatch):
    monkeypatch.setattr(heap.ctypes.util, "find_library", lambda name: None)
    trimmer = heap.HeapTrimmer()
    trimmer.after_pruning()
    assert trimmer._trim is None


def test_this_machines_libc_has_malloc_trim():
    assert heap.HeapTrimmer()._trim is not None
    heap.HeapTrimmer().after_pruning()  # really trims here, and returns


def test_serve_keeps_the_threads_to_two_heaps_where_glibc_allows_it(monkeypatch):
    settings: list[tuple[int, int]] = []

    class FakeLibc:
        def mallopt(self, parameter: int, value: int) -> int:
            settings.append((parameter, value))
            return 1

    monkeypatch.setattr(heap, "_libc", FakeLibc)
    heap.few_arenas()
    assert settings == [(heap.M_ARENA_MAX, heap.ARENAS)]
    monkeypatch.setattr(heap, "_libc", lambda: None)
    heap.few_arenas()  # not glibc: nothing to set, and no error
    assert settings == [(heap.M_ARENA_MAX, heap.ARENAS)]
