"""The bandwidth limiter of the emulator's data plane imitates src/lib/iothrottler.go (golang.org/x/time/rate with
``KBRATE = 1024 / 8`` bytes per second per unit and a burst of ``1000 * 1024`` bytes, full at the start), driven here by a
fake clock so the arithmetic is checked exactly. src/pkg/project/models/project.go ProxyCacheSpeed parses the metadata."""
from tests.harbor_emulator import iothrottler


class FakeTime:
    def __init__(self):
        self.now = 0.0
        self.slept = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def test_one_unit_is_one_kibit_per_second_and_the_burst_is_1000_kib():
    assert (iothrottler.KBRATE, iothrottler.BURST) == (128, 1024000)


def test_the_first_burst_passes_at_once_and_the_rest_waits_at_the_rate():
    fake = FakeTime()
    limiter = iothrottler.Limiter(8, clock=fake.clock)          # 8 units = 1024 bytes per second
    assert limiter.reserve(iothrottler.BURST) == 0
    assert limiter.reserve(2048) == 2.0                          # 2 KiB beyond the burst: 2 s
    fake.now = 1.0                                               # a second later 1 KiB came back
    assert limiter.reserve(1024) == 2.0


def test_a_paced_reader_sleeps_size_minus_burst_over_rate_in_total(monkeypatch):
    fake = FakeTime()
    monkeypatch.setattr(iothrottler.time, "monotonic", fake.clock)
    data = b"x" * (iothrottler.BURST + 5 * 1024)
    pieces = list(iothrottler.throttled([data], 16, sleep=fake.sleep))      # 2 KiB/s
    assert b"".join(pieces) == data and max(len(piece) for piece in pieces) == iothrottler.READ_SIZE
    assert abs(sum(fake.slept) - 2.5) < 1e-9


def test_no_limit_at_zero_or_below():
    data = b"y" * (iothrottler.BURST * 2)
    assert list(iothrottler.throttled([data], 0)) == [data]
    assert list(iothrottler.throttled([data], -1)) == [data]
    assert iothrottler.pace(data, 0) is data


def test_metadata_speeds_parse_as_int32_or_zero():
    assert [iothrottler.speed_of(v) for v in ("100", "+7", "-1", "", " 5", "1.5", "abc", None, "2147483648", "5\n")] == \
        [100, 7, -1, 0, 0, 0, 0, 0, 0, 0]
