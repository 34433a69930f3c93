"""Pinyin keys, blind indexes and SM4 ciphertexts computed in a forked helper process for large files."""
from __future__ import annotations

from dataclasses import dataclass, field

from dangjian.core.crypto import blind_index, blind_indexes, encrypt_texts
from dangjian.core.idnumber import normalize_id_number
from dangjian.core.pinyin import _tokens as _pinyin_tokens

from .common import _setting


PARALLEL_MIN_ROWS = _setting("MEMBERS_IMPORT_PARALLEL_MIN_ROWS", 20_000)


@dataclass
class _Computed:
    names: dict = field(default_factory=dict)  # name -> (pinyin, initials)
    ids: dict = field(default_factory=dict)  # normalized ID number -> (blind index, SM4 ciphertext)

    def index_of(self, number: str) -> str:
        """The blind index of a normalised ID number: the helper's, else computed here."""
        pre = self.ids.get(number)
        return pre[0] if pre else blind_index(number)


def _compute_chunk(chunk: tuple[list[str], list[str]]) -> tuple[list, list]:
    """Runs in the helper process: pure functions only, no database."""
    names, numbers = chunk
    cache: dict = {}
    numbers = list({normalize_id_number(x) for x in numbers})  # the main process has not normalised them
    return ([(n, name_keys(n, cache)) for n in names],
            list(zip(numbers, zip(blind_indexes(numbers), encrypt_texts(numbers)))))


def _worth_forking(rows: list[dict]) -> bool:
    import multiprocessing
    import os

    return (len(rows) >= PARALLEL_MIN_ROWS and (os.cpu_count() or 1) >= 2
            and "fork" in multiprocessing.get_all_start_methods())


class _Precompute:
    """A forked process computing the expensive pure parts while the main process validates."""

    def __init__(self, pool=None, pending=None):
        self.pool, self.pending = pool, pending

    @classmethod
    def start(cls, rows: list[dict]) -> "_Precompute":
        """Every row's keys at once, collected by result()."""
        if not _worth_forking(rows):
            return cls()
        names = list({r["values"]["name"] for r in rows if isinstance(r["values"].get("name"), str)})
        numbers = [v for r in rows if (v := r["values"].get("id_number")).__class__ is str]
        step = 5000
        chunks = [(names[i:i + step], numbers[i:i + step]) for i in range(0, max(len(names), len(numbers)), step)]
        return cls._fork(chunks, ordered=False)

    @classmethod
    def start_ordered(cls, rows: list[dict], step: int) -> "_Precompute":
        """The same work in chunks of `step` rows, in row order: merge_next(computed) after each chunk of rows
        (the streamed import writes a chunk as soon as its keys are there)."""
        if not _worth_forking(rows):
            return cls()
        chunks = []
        for start in range(0, len(rows), step):
            values = [r["values"] for r in rows[start:start + step]]
            chunks.append((list({v["name"] for v in values if isinstance(v.get("name"), str)}),
                           [x for v in values if (x := v.get("id_number")).__class__ is str]))
        return cls._fork(chunks, ordered=True)

    @classmethod
    def _fork(cls, chunks: list, *, ordered: bool) -> "_Precompute":
        import multiprocessing

        name_keys("预热", {})  # pypinyin loads its dictionaries once, here, so the child inherits them
        try:
            pool = multiprocessing.get_context("fork").Pool(1)
        except Exception:  # e.g. inside a daemonic worker process, which may not have children
            return cls()
        return cls(pool, pool.imap(_compute_chunk, chunks) if ordered else pool.map_async(_compute_chunk, chunks))

    def merge_next(self, computed: _Computed) -> None:
        """Add the next chunk's results (start_ordered); on any failure the caller computes in-process."""
        if self.pool is None:
            return
        try:
            names, ids = self.pending.next(timeout=600)
            computed.names.update(names)
            computed.ids.update(ids)
        except Exception:  # the helper is an optimisation only
            self.close()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None

    def result(self) -> _Computed:
        computed = _Computed()
        if self.pool is None:
            return computed
        try:
            for names, ids in self.pending.get(timeout=600):
                computed.names.update(names)
                computed.ids.update(ids)
        except Exception:  # the helper is an optimisation only: fall back to computing in-process
            computed = _Computed()
        finally:
            self.close()
        return computed


def name_keys(name: str, cache: dict) -> tuple[str, str]:
    """(pinyin_full, pinyin_initials) of a name from ONE pypinyin pass (the costliest step of an import).

    Built from core.pinyin's tokens exactly as its two public functions build them (a test checks they agree).
    """
    keys = cache.get(name)
    if keys is None:
        tokens = _pinyin_tokens(name, surname=True) if name else []
        full = "".join(t for t, _ in tokens).lower()
        initials = "".join(t[:1] if syllable else t for t, syllable in tokens).lower()
        keys = cache[name] = (full[:200], initials[:50])
    return keys
