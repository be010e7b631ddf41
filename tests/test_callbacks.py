"""The callback-data codec: round trips, and hostile input never crashes or slips through."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.views import callbacks as cb

KEYS = st.from_regex(r"[a-z0-9][a-z0-9-]{0,23}", fullmatch=True)
ACTIONS = st.one_of(
    st.just(cb.OpenMenu()),
    st.just(cb.PickLocale()),
    st.just(cb.Erase()),
    st.builds(cb.OpenTrack, KEYS),
    st.builds(cb.OpenLesson, KEYS),
    st.builds(cb.Next, KEYS, st.integers(0, 999)),
    st.builds(cb.Answer, KEYS, st.integers(0, 9)),
    st.builds(cb.SetLocale, st.sampled_from(["en", "sq", "sr", "ru", "ky", "kk", "uz", "tg"])),
)


@given(ACTIONS)
def test_round_trip_within_telegram_limit(action: cb.Action) -> None:
    data = cb.encode(action)
    assert len(data.encode()) <= 64
    assert cb.decode(data) == action


@given(st.text(max_size=200))
def test_arbitrary_data_decodes_to_nothing_or_a_valid_action(data: str) -> None:
    action = cb.decode(data)
    if action is not None:
        assert cb.decode(cb.encode(action)) == action


def test_rejects_near_misses() -> None:
    for data in ["v1:q:x:10", "v2:m:", "v1:l:de", "v1:n:X:1", "v1:m:x", "v1:o:", "v1:n:a:-1"]:
        assert cb.decode(data) is None, data
