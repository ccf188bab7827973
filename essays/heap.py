"""This process's heap: handing what Python freed back to the system."""

from functools import lru_cache


@lru_cache(maxsize=1)
def _malloc_trim():
    try:
        import ctypes

        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS)
        return None


def release_freed_memory() -> None:
    """Return the heap's free pages to the system (glibc's malloc_trim):
    Python frees objects, but the allocator keeps the pages for later, and
    a process forked then holds them too. 10,000 bench essays: 75 MB handed
    back after the vocabulary was built; an import's index documents,
    unpickled in the pool's result thread (an arena of its own) and freed
    in the main one, kept 100 MB of 20,000 essays' in the process that
    writes them. Elsewhere (musl, macOS) nothing."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
