"""torch's CPU random generator and its float32 `uniform_`, reproduced in NumPy bit for bit.

Why: the NumPy fast path starts from the weights torch would draw (torch.manual_seed(seed), then the
layers' constructors and the initialiser), and importing torch costs more than a whole short run.

How torch draws (ATen's CPUGeneratorImpl and cpu/DistributionTemplates.h):
- the engine is mt19937 seeded as the classic init_genrand with the seed's low 32 bits, which is
  NumPy's `MT19937._legacy_seeding`; `random_raw()` then yields the same 32-bit outputs in order;
- `uniform_(from, to)` on a float32 tensor takes one 32-bit draw per element, in memory order:
  x = (draw & (2**24 - 1)) * 2**-24 in float32, value = fma(x, to - from, from) in float32 (the kernel
  is compiled with FMA contraction: a separate multiply and add differs in about half the values).
"""

from __future__ import annotations

import numpy as np

MASK_24 = (1 << 24) - 1


class TorchCPUGenerator:
    """The sequence of 32-bit draws torch's default CPU generator makes after torch.manual_seed(seed)."""

    def __init__(self, seed: int):
        self._bits = np.random.MT19937(0)
        self._bits._legacy_seeding(int(seed) & 0xFFFFFFFF)  # torch keeps the seed's low 32 bits

    def draws(self, count: int) -> np.ndarray:
        """The next `count` 32-bit outputs (uint64 holding 32-bit values)."""
        return self._bits.random_raw(count) if count else np.zeros(0, dtype=np.uint64)

    def skip(self, count: int) -> None:
        """Consume `count` draws whose values nobody keeps (a constructor's weights, overwritten)."""
        if count:
            self._bits.random_raw(count)

    def uniform_float32(self, count: int, low: float, high: float) -> np.ndarray:
        """What `torch.empty(count).uniform_(low, high)` holds: float32, one draw each."""
        x = (self.draws(count) & MASK_24).astype(np.float32) * np.float32(1.0 / (1 << 24))
        low32, high32 = np.float32(low), np.float32(high)
        if low32 == high32:  # torch gives `from` itself (-0.0 for uniform_(-0.0, 0.0)); the draws still go
            return np.full(count, low32, dtype=np.float32)
        return fma_float32(x, high32 - low32, low32)


def fma_float32(a: np.ndarray, b: np.float32, c: np.float32) -> np.ndarray:
    """a * b + c rounded once to float32, as a fused multiply-add computes it.

    a * b of two float32 is exact in float64; the float64 sum is made round-to-odd (the two-sum error
    says which way the exact value lies), after which rounding to float32 is correct: rounding twice
    to nearest could land on the wrong side of a float32 halfway point.
    """
    product = a.astype(np.float64) * np.float64(b)
    c64 = np.float64(c)
    total = product + c64
    # Knuth's two-sum: total + error == product + c exactly.
    back = total - c64
    error = (product - back) + (c64 - (total - back))
    inexact = error != 0
    if inexact.any():
        mantissa = total.view(np.uint64) & np.uint64(1)
        even = inexact & (mantissa == 0)
        total = np.where(even, np.nextafter(total, np.where(error > 0, np.inf, -np.inf)), total)
    return total.astype(np.float32)
