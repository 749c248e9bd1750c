"""glibc malloc told to keep freed memory, so a training step reuses last step's pages.

By default glibc serves large blocks with mmap and returns freed heap tops to the kernel, so every
step's logits, activations and gradients are fresh pages the kernel must fault in and zero: a
small model measured ~40% of its CPU time in the kernel that way. With a fixed mmap threshold at
glibc's maximum (32 MiB) and trimming off, blocks below it come from the heap and stay mapped.
Blocks above it still use mmap, which is why the LM head runs in chunks (head_loss.py).
"""

import ctypes
import ctypes.util

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_MAX = 32 * 1024 * 1024  # glibc refuses larger values on 64-bit
TRIM_THRESHOLD = 1 << 30


def keep_freed_memory() -> bool:
    """Sets both thresholds; False (and nothing changed) where the C library is not glibc."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    libc = ctypes.CDLL(name)
    if not hasattr(libc, "mallopt"):
        return False
    return bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_MAX)) and bool(
        libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
