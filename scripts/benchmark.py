"""Benchmark: wall time and Harbor requests per object for a first run and a second (idempotent) run.

Usage: .venv/bin/python scripts/benchmark.py [--count 20]
Starts an emulated upstream and Harbor, then runs one playbook that creates ``count`` registry endpoints and ``count``
proxy-cache projects (one module call each, as a loop), runs it again, and prints per run: seconds, requests by
method, and requests per object. Numbers go to stdout only; the test suite never asserts on timings.
"""
import argparse
import collections
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.harbor_emulator import Emulator  # noqa: E402  (after the path set-up)
from tests.integration.conftest import collections_root  # noqa: E402


def playbook(count, upstream):
    endpoints = [{"name": "upstream-%03d" % i, "provider": "docker-registry", "url": upstream} for i in range(count)]
    projects = [{"name": "proxy-%03d" % i, "proxy_cache_registry": "upstream-%03d" % i, "public": True,
                 "storage_quota": "10GiB"} for i in range(count)]
    return [{"hosts": "localhost", "connection": "local", "gather_facts": False,
             "vars": {"endpoints": endpoints, "projects": projects},
             "tasks": [
                 {"name": "endpoints", "registryops.harbor.harbor_registry": {
                     "name": "{{ item.name }}", "provider": "{{ item.provider }}", "url": "{{ item.url }}"},
                  "loop": "{{ endpoints }}"},
                 {"name": "projects", "registryops.harbor.harbor_project": {
                     "name": "{{ item.name }}", "proxy_cache_registry": "{{ item.proxy_cache_registry }}",
                     "public": "{{ item.public }}", "storage_quota": "{{ item.storage_quota }}"},
                  "loop": "{{ projects }}"}]}]


def run(play_file, harbor):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections_root()), HARBOR_URL=harbor.url,
               HARBOR_USERNAME="admin", HARBOR_PASSWORD="Harbor12345", ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    requests.delete(harbor.url + "/_emulator/requests", timeout=10)
    started = time.monotonic()
    proc = subprocess.run([str(Path(sys.executable).with_name("ansible-playbook")), "-i", "localhost,", play_file],
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    seconds = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(proc.stdout[-3000:])
    log = requests.get(harbor.url + "/_emulator/requests", timeout=10).json()
    return seconds, collections.Counter(entry["method"] for entry in log)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20, help="endpoints and projects to create (default 20)")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)   # no access log lines between the numbers
    with Emulator() as upstream, Emulator() as harbor, tempfile.TemporaryDirectory() as tmp:
        play_file = os.path.join(tmp, "bench.yml")
        Path(play_file).write_text(yaml.safe_dump(playbook(args.count, upstream.url), sort_keys=False))
        objects = 2 * args.count
        report = {}
        for label in ("first run", "second run"):
            seconds, methods = run(play_file, harbor)
            total = sum(methods.values())
            report[label] = {"seconds": round(seconds, 2), "seconds_per_object": round(seconds / objects, 3),
                             "requests": dict(methods), "requests_per_object": round(total / objects, 2)}
        print(json.dumps({"objects": objects, **report}, indent=2))


if __name__ == "__main__":
    main()
