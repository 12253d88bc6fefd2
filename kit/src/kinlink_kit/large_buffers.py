"""Large buffers given back to the system as soon as they are freed (decision 0102).

glibc's malloc gives each thread that allocates an arena of its own, and keeps what is freed
there for that arena's next allocations. A photo's pixels (some 50 MB, in Pillow's 16 MB blocks)
freed by one worker thread are then still resident when the next photo is decoded by another:
a process with 32 worker threads grew by the size of a photo for each thread that had prepared
one. Buffers of a megabyte or more mapped on their own are unmapped when freed, whichever
thread frees them.
"""

from __future__ import annotations

import ctypes

M_MMAP_THRESHOLD = -3  # mallopt's parameter, from glibc's malloc.h
LARGE_BUFFER_BYTES = 1 << 20


def return_large_buffers() -> None:
    """From now on, each allocation of LARGE_BUFFER_BYTES or more is mapped on its own and
    returned when freed. Nothing changes where the C library has no mallopt (macOS)."""
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    if mallopt is not None:
        mallopt(M_MMAP_THRESHOLD, LARGE_BUFFER_BYTES)
