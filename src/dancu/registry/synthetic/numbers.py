"""Unique random-looking numbers (phones, old CMND numbers) without remembering the issued ones.

A keyed Feistel permutation of ``range(10**digits)`` turns a per-prefix counter into a serial
that never repeats, so generating millions of people needs constant memory.
"""

from __future__ import annotations

import random

__all__ = ["KeyedPermutation", "UniqueNumbers"]


class KeyedPermutation:
    """A bijection of ``range(size)`` chosen by ``rng``: 4 Feistel rounds, cycle-walking."""

    __slots__ = ("_bits", "_mask", "_rounds", "size")

    def __init__(self, size: int, rng: random.Random) -> None:
        if size < 2:
            raise ValueError("size must be at least 2")
        half = ((size - 1).bit_length() + 1) // 2
        self.size = size
        self._bits = half
        self._mask = (1 << half) - 1
        self._rounds = tuple(tuple(rng.getrandbits(half) for _ in range(1 << half)) for _ in range(4))

    def __call__(self, x: int) -> int:
        """The image of ``x`` (0 <= x < size)."""
        bits, mask, size = self._bits, self._mask, self.size
        first, second, third, fourth = self._rounds
        while True:
            # Four Feistel rounds, unrolled: each half is mixed with a table of the other.
            left, right = x >> bits, x & mask
            left ^= first[right]
            right ^= second[left]
            left ^= third[right]
            right ^= fourth[left]
            x = (left << bits) | right
            # The Feistel network permutes range(4**half) >= size; walking the cycle until we
            # land back inside range(size) restricts it to a permutation of range(size).
            if x < size:
                return x


class UniqueNumbers:
    """Hands out ``prefix + serial`` strings, each serial ``digits`` long, never twice."""

    __slots__ = ("_digits", "_permutation", "_state")

    def __init__(self, digits: int, rng: random.Random) -> None:
        self._digits = digits
        self._permutation = KeyedPermutation(10**digits, rng)
        # prefix -> [next counter, start offset]; the offset keeps prefixes from sharing a sequence.
        self._state: dict[str, list[int]] = {}

    def next(self, prefix: str, rng: random.Random) -> str:
        """A number with ``prefix`` not handed out before by this object."""
        size = self._permutation.size
        state = self._state.get(prefix)
        if state is None:
            state = self._state[prefix] = [0, rng.randrange(size)]
        count = state[0]
        if count >= size:
            raise OverflowError(f"all {size} numbers with prefix {prefix} are used")
        state[0] = count + 1
        # zfill is about twice as fast as a format spec, and this runs for millions of people.
        return prefix + str(self._permutation((count + state[1]) % size)).zfill(self._digits)
