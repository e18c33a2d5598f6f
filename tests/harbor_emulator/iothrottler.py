"""Bandwidth limits of the data plane (mirrors src/lib/iothrottler.go, which wraps a blob's reader in a
``golang.org/x/time/rate`` limiter).

Harbor applies it to each blob read from a source (a fresh limiter per blob reader):

- replication: the policy's ``speed`` (src/controller/replication/transfer/image/transfer.go copyBlobByMonolithic and
  copyBlobByChunk, ``lib.NewReader(data, speed)`` when ``speed > 0``; the task log says ``limit network speed at
  <speed> kb/s``);
- proxy cache: the project's ``proxy_speed_kb`` (src/controller/proxy/remote.go BlobReader, when ``> 0``; an
  unparsable value is 0, src/pkg/project/models/project.go ProxyCacheSpeed).

One unit is ``KBRATE = 1024 / 8`` bytes per second (1 Kibit/s), the bucket holds ``BURST = 1000 * 1024`` bytes and
starts full (x/time/rate fills an unused limiter up to its burst), and each read reserves its bytes and sleeps until
they are available. So the first 1000 KiB of a blob pass at once and the rest at the rate: reading ``n`` bytes takes
at least ``(n - BURST) / (speed * KBRATE)`` seconds.

    for piece in throttled(chunks, speed): ...          # a reader of byte strings, paced; speed <= 0: unchanged
    pace(data, speed) -> data                           # the same for bytes already in memory (read in READ_SIZE pieces)
"""
import re
import threading
import time

KBRATE = 1024 // 8
BURST = 1000 * 1024
READ_SIZE = 32 * 1024       # what io.Copy reads at a time
INT = re.compile(r"^[+-]?[0-9]+\Z")


class Limiter:
    """A token bucket as x/time/rate's ReserveN + DelayFrom: tokens may go negative; a reservation waits them back."""

    def __init__(self, speed, clock=None):
        self.rate = float(speed * KBRATE)
        self.clock = clock or time.monotonic
        self.tokens = float(BURST)
        self.last = self.clock()
        self.lock = threading.Lock()

    def reserve(self, n):
        """Take ``n`` tokens; returns the seconds to wait before the bytes may be handed on."""
        if n > BURST:
            raise ValueError("exceeds limiter's burst")
        with self.lock:
            now = self.clock()
            self.tokens = min(BURST, self.tokens + (now - self.last) * self.rate)
            self.last = now
            self.tokens -= n
            return max(0.0, -self.tokens / self.rate)


def throttled(chunks, speed, sleep=time.sleep):
    """Yield the byte strings of ``chunks`` paced at ``speed`` units (none when ``speed <= 0``)."""
    if not speed or speed <= 0:
        yield from chunks
        return
    limiter = Limiter(speed)
    for chunk in chunks:
        for start in range(0, len(chunk), READ_SIZE):
            piece = chunk[start:start + READ_SIZE]
            delay = limiter.reserve(len(piece))
            if delay:
                sleep(delay)
            yield piece


def pace(data, speed):
    """``data`` after reading it through the limiter of ``speed`` units."""
    if not speed or speed <= 0:
        return data
    for _ in throttled([data], speed):
        pass
    return data


def speed_of(value):
    """An int32 metadata value as Harbor parses it (strconv.ParseInt(v, 10, 32)); 0 when absent or unparsable."""
    if not isinstance(value, str) or not INT.match(value):
        return 0
    number = int(value)
    return number if -2 ** 31 <= number < 2 ** 31 else 0
