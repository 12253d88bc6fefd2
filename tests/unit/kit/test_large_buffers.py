"""Pixels freed by one worker thread are not kept for it while another decodes the next photo
(decision 0102): the resident size of a process whose threads take turns preparing photos
stays at about one photo's."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

# Eight worker threads, alive together as a pool's are, in turn each decode a 12-megapixel
# JPEG, keep a thumbnail of it and re-encode it, as messaging prepares a photo; the growth of
# the resident size in MB is printed.
TURNS = textwrap.dedent(
    """
    import io, re, sys, threading
    from PIL import Image
    from kinlink_kit.large_buffers import return_large_buffers

    def resident_mb():
        status = open("/proc/self/status").read()
        return int(re.search(r"VmRSS:\\s+(\\d+) kB", status).group(1)) / 1024

    if sys.argv[1] == "returned":
        return_large_buffers()
    grain = Image.effect_noise((4000, 3000), 40)
    source = io.BytesIO()
    Image.merge("RGB", [grain, grain, grain]).save(source, "JPEG")
    del grain
    thumbnails = []

    def prepare():
        with Image.open(io.BytesIO(source.getvalue())) as photo:
            photo.load()
            thumbnails.append(photo.resize((320, 240)))
            photo.save(io.BytesIO(), "JPEG")

    def worker(turn, done, stop):
        turn.wait()
        prepare()
        done.set()
        stop.wait()

    turns = [(threading.Event(), threading.Event()) for _ in range(8)]
    stop = threading.Event()
    workers = [threading.Thread(target=worker, args=(*t, stop)) for t in turns]
    for thread in workers:
        thread.start()
    before = resident_mb()
    for turn, done in turns:  # one after the other, every thread alive
        turn.set()
        done.wait()
    print(resident_mb() - before)
    stop.set()
    """
)


def growth_mb(mode: str) -> float:
    # glibc's default behaviour, whatever this environment tunes (arenas, another allocator).
    tuned = ("MALLOC_ARENA_MAX", "GLIBC_TUNABLES", "LD_PRELOAD")
    env = {name: value for name, value in os.environ.items() if name not in tuned}
    run = subprocess.run(
        [sys.executable, "-c", TURNS, mode], capture_output=True, text=True, check=True, env=env
    )
    return float(run.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc, /proc")
def test_a_photos_pixels_are_returned_whichever_thread_freed_them() -> None:
    assert growth_mb("returned") < 30


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc, /proc")
def test_without_it_each_thread_keeps_the_pixels_it_freed() -> None:
    """What the setting is for: the same turns grow the process by a photo per thread."""
    assert growth_mb("kept") > 150
