"""How quickly ``harbor_replication_execution`` notices that an execution has ended, relative to its poll interval.

Two emulators (a source Harbor with one seeded repository and a push rule, and the destination Harbor). For each case
``(task_seconds, wait_sleep)`` the source's replication tasks take ``task_seconds`` (the emulator's
``POST /_emulator/replication`` control) and the module runs with ``force: true`` and that ``wait_sleep``. A thread
reads the request log every 50 ms, so each request gets the time it was first seen. From the execution's ``end_time``
(the emulator's clock is this machine's):
- ``notice_s``: first status read after the end minus the end (the delay before the module can know);
- ``return_s``: the module's last request minus the end (it confirms a final state with a second read);
- ``interval_s``: the gap between the last two status reads before the end (the poll interval then in effect);
- ``requests_per_minute``: every request from the start POST to the end of the execution, per minute.
"""
import threading
import time
from datetime import datetime, timezone

import requests

from tests.harbor_emulator import Emulator
from tests.support.harbor import seed

from . import runner, workload

RULE = "bench-wait"
POLL = 0.05


class LogWatcher(threading.Thread):
    """Reads the request log every POLL seconds and remembers when each entry was first seen."""

    def __init__(self, url):
        super().__init__(daemon=True)
        self.url = url
        self.seen = []          # [(time, entry)]
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            self.poll()
            self.stopping.wait(POLL)
        self.poll()

    def poll(self):
        try:
            log = runner.request_log(self.url)
        except requests.RequestException:
            return
        now = time.time()
        for entry in log[len(self.seen):]:
            self.seen.append((now, entry))

    def stop(self):
        self.stopping.set()
        self.join(timeout=30)


def parse_time(value):
    if not value or value.startswith("0001-"):
        return None
    return datetime.strptime(value.rstrip("Z")[:23], "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=timezone.utc).timestamp()


def set_up(source, destination):
    auth = runner.ADMIN
    api = source.url + "/api/v2.0"
    resp = requests.post(api + "/registries", auth=auth, timeout=30, json={
        "name": "bench-destination", "type": "harbor", "url": destination.url, "insecure": True,
        "credential": {"type": "basic", "access_key": auth[0], "access_secret": auth[1]}})
    resp.raise_for_status()
    registry_id = int(resp.headers["Location"].rsplit("/", 1)[1])
    seed(source.url, project="library", repository="nginx", tags=["1.25"])
    requests.post(api + "/replication/policies", auth=auth, timeout=30, json={
        "name": RULE, "enabled": True, "override": True, "dest_registry": {"id": registry_id},
        "filters": [{"type": "name", "value": "library/**"}], "trigger": {"type": "manual"}}).raise_for_status()


def last_execution(source):
    api = source.url + "/api/v2.0"
    policy = requests.get(api + "/replication/policies", params={"q": "name=" + RULE}, auth=runner.ADMIN, timeout=30).json()[0]
    executions = requests.get(api + "/replication/executions", params={"policy_id": policy["id"], "sort": "-id"},
                              auth=runner.ADMIN, timeout=30).json()
    return max(executions, key=lambda e: e["id"])


def measure_case(source, task_seconds, wait_sleep, workdir, env):
    requests.post(source.url + "/_emulator/replication", json={"task_seconds": task_seconds}, timeout=30).raise_for_status()
    playbook = workload.play([{"name": "execution", workload.COLLECTION + ".harbor_replication_execution": {
        "rule": RULE, "force": True, "wait_sleep": wait_sleep, "wait_timeout": int(task_seconds * 4 + 60)}}])
    runner.clear_log(source.url)
    watcher = LogWatcher(source.url)
    watcher.start()
    try:
        run = runner.run_playbook(workload.dump(playbook), {}, workdir, env, label="wait")
    finally:
        watcher.stop()
    case = {"task_seconds": task_seconds, "wait_sleep": wait_sleep, "rc": run["rc"], "wall": run["wall"],
            "cpu": run["cpu"], "log_resolution_s": POLL}
    if run["rc"] != 0:
        case["error"] = run.get("error")
        return case
    execution = last_execution(source)
    start, end = parse_time(execution["start_time"]), parse_time(execution["end_time"])
    seen = watcher.seen
    started = [t for t, e in seen if e["method"] == "POST" and e["path"].endswith("/replication/executions")]
    reads = [t for t, e in seen if e["method"] == "GET" and e["path"].startswith("/api/v2.0/replication/executions/")
             and "/tasks" not in e["path"]]
    before_end = [t for t in reads if end is not None and t <= end]
    after_end = [t for t in reads if end is not None and t > end]
    begin = started[0] if started else (seen[0][0] if seen else None)
    during = [t for t, _ in seen if begin is not None and end is not None and begin <= t <= end]
    waited = (end - begin) if (begin is not None and end is not None) else None
    case.update({
        "status": execution.get("status"), "execution_seconds": round(end - start, 3) if start and end else None,
        "requests": len(seen), "status_reads": len(reads),
        "notice_s": round(after_end[0] - end, 3) if after_end else None,
        "return_s": round(seen[-1][0] - end, 3) if seen and end else None,
        "interval_s": round(before_end[-1] - before_end[-2], 3) if len(before_end) >= 2 else None,
        "requests_per_minute": round(len(during) / waited * 60, 1) if waited else None,
    })
    case["met"] = case["notice_s"] is not None and case["notice_s"] <= wait_sleep + POLL
    return case


def measure(cases, workdir):
    results = []
    if not cases:
        return results
    env = runner.base_env(workdir)
    with Emulator() as source, Emulator() as destination:
        set_up(source, destination)
        env.update(HARBOR_URL=source.url, HARBOR_USERNAME=runner.ADMIN[0], HARBOR_PASSWORD=runner.ADMIN[1])
        for task_seconds, wait_sleep in cases:
            results.append(measure_case(source, task_seconds, wait_sleep, workdir, env))
    return results
