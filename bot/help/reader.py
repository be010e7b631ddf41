"""The meaning model run off the event loop: one worker thread, a bounded queue.

Embedding a message costs about 10 ms of CPU (the start of a long one, more), in C code
that releases the GIL, so the loop keeps answering presses meanwhile. At most `MAX_PENDING`
messages wait; beyond that, or past `TIMEOUT` seconds, a message keeps the phrase lists'
verdict alone (logged, without the text), so a burst never stalls the bot and never
silences the lists.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from bot.help.categories import NONE
from bot.help.model import MODEL_CHARS, SOURCE, Embedder, MeaningModel, combine, skeleton_ngrams
from bot.help.phrases import normalize
from bot.help.screening import CLEAR, Screener, Verdict

log = logging.getLogger(__name__)

MAX_PENDING = 64
TIMEOUT = 5.0
# The model reads sentences: "yes", "hello" or a wall of one repeated letter carry too little
# meaning for it, and it was seen to misread them. Shorter messages are left to the phrase
# lists and the direct asks, which are made for them.
MIN_WORDS = 3
TOO_SHORT = Verdict(NONE, False, None, SOURCE, CLEAR, None)


class MeaningReader:
    """Reads messages with the model: `read` from the loop, `read_many` from commands."""

    def __init__(self, model: MeaningModel, embedder: Embedder | None = None) -> None:
        self.model = model
        self._embed = embedder or Embedder()
        self._pool: ThreadPoolExecutor | None = None
        self._pending = 0

    def read_many(self, texts: Sequence[str], batch: int = 64) -> list[Verdict]:
        """Verdicts for many texts at once (evaluation, `ura referrals classify`)."""
        found: list[Verdict] = [TOO_SHORT] * len(texts)
        # Its start only, for the n-grams as for the embedding: Python work on a whole long
        # message would hold the GIL, and with it the event loop, for milliseconds.
        texts = [text[:MODEL_CHARS] for text in texts]
        skeletons = [normalize(text) for text in texts]
        wanted = [i for i, skeleton in enumerate(skeletons) if len(skeleton.split()) >= MIN_WORDS]
        for start in range(0, len(wanted), batch):
            chunk = wanted[start : start + batch]
            embedded = self._embed([texts[i] for i in chunk])
            for i, row in zip(chunk, embedded, strict=True):
                probs = self.model.probabilities(row, skeleton_ngrams(skeletons[i]))
                found[i] = self.model.verdict(probs)
        return found

    def _read_one(self, text: str) -> Verdict:
        return self.read_many([text])[0]

    async def read(self, text: str) -> Verdict | None:
        """The model's verdict, or None when the queue is full or it took too long."""
        if self._pending >= MAX_PENDING:
            log.warning("screening model busy: lists only for this message")
            return None
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ura-meaning")
        self._pending += 1
        try:
            work = asyncio.get_running_loop().run_in_executor(self._pool, self._read_one, text)
            return await asyncio.wait_for(work, TIMEOUT)
        except TimeoutError:
            log.warning("screening model too slow: lists only for this message")
            return None
        finally:
            self._pending -= 1

    def close(self) -> None:
        """Stop the worker thread (at shutdown)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def screen_many(
    screener: Screener, reader: MeaningReader | None, items: Sequence[tuple[str, str]]
) -> list[Verdict]:
    """(text, locale) pairs screened as the bot screens them, the model in batches."""
    listed = [screener.classify(text, locale) for text, locale in items]
    if reader is None:
        return listed
    read = reader.read_many([text for text, _ in items])
    return [v if v.urgent else combine(v, m) for v, m in zip(listed, read, strict=True)]
