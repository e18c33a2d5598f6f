"""Offline demo: playbooks/site.yml against emulated Harbors (started here as subprocesses, stopped at the end).

Three emulators play the parts of the set-ups in docs/scenarios.md:
- ``upstream``: stands in for an Internet registry (NVIDIA NGC); the connected Harbor's endpoint points at it;
- ``connected``: the Internet-facing Harbor (endpoints, proxy-cache project, a curated project, a push rule);
- ``disconnected``: the air-gapped Harbor that receives the replicated images.
The playbook runs twice: the first run configures everything, the second must report changed=0.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
ADMIN = ("admin", "Harbor12345")
NGC_KEY = "demo-ngc-api-key"
RECAP = re.compile(r"^localhost\s*:.*?changed=(\d+).*?failed=(\d+)", re.M)
CURATED = [("nvaie", "nvidia/cuda", ["12.4.1-base", "12.4.1-runtime"]), ("nvaie", "nvidia/tritonserver", ["24.05-py3"]),
           ("nvaie", "nvidia/scratch", ["dev"])]


def start_emulator(*extra):
    """Start one emulator; its address is read later by ``address_of`` (so that several start side by side)."""
    return subprocess.Popen([sys.executable, "-m", "tests.harbor_emulator", "--port", "0"] + list(extra), cwd=str(REPO),
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def address_of(name, proc):
    line = proc.stdout.readline().strip()
    if not line.startswith("listening on "):
        raise SystemExit("the %s emulator did not start: %r" % (name, line))
    url = line[len("listening on "):]
    print("==> %-12s Harbor emulator on %s" % (name, url), flush=True)
    return url


def seed(url, project, repository, tags):
    resp = requests.post(url + "/_emulator/seed", json={"project": project, "repository": repository, "tags": tags}, timeout=10)
    resp.raise_for_status()


def playbook(extra_vars_file, args):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections_root()), ANSIBLE_NOCOLOR="1",
               ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    cmd = [str(Path(sys.executable).with_name("ansible-playbook")), "-i", "localhost,", str(REPO / "playbooks" / "site.yml"),
           "-e", "@%s" % extra_vars_file] + list(args)
    output = []
    with subprocess.Popen(cmd, cwd=str(REPO), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
        for line in proc.stdout:                        # shown as it comes, kept for the recap
            print(line, end="", flush=True)
            output.append(line)
    output = "".join(output)
    recap = RECAP.search(output)
    return proc.returncode, int(recap.group(1)) if recap else None


def collections_root():
    root = REPO / "tests" / "output" / "collections"
    link = root / "ansible_collections" / "registryops" / "harbor"
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(REPO, target_is_directory=True)
    return root


def main(args):
    procs = {}
    handle = None
    try:
        # The upstream plays nvcr.io: it knows NGC's literal user "$oauthtoken" with the demo API key as password.
        for name, extra in (("upstream", ("--user", "$oauthtoken:" + NGC_KEY)), ("connected", ()), ("disconnected", ())):
            procs[name] = start_emulator(*extra)
        emulators = {name: address_of(name, proc) for name, proc in procs.items()}
        for project, repository, tags in CURATED:
            seed(emulators["connected"], project, repository, tags)
        demo_vars = {
            "harbor_connected": {"url": emulators["connected"], "username": ADMIN[0], "password": ADMIN[1]},
            "harbor_disconnected": {"url": emulators["disconnected"], "username": ADMIN[0], "password": ADMIN[1]},
            "ngc_url": emulators["upstream"],
            "ngc_api_key": NGC_KEY,
        }
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump(demo_vars, handle)
        print("==> first run: configure both Harbors", flush=True)
        rc, changed = playbook(handle.name, args)
        if rc != 0:
            return rc
        print("==> second run: must report changed=0", flush=True)
        rc, changed = playbook(handle.name, args)
        if rc != 0:
            return rc
        if changed != 0:
            print("FAILED: the second run reported changed=%s" % changed)
            return 1
        print("==> demo done: both Harbors configured, images replicated, second run changed nothing")
        return 0
    finally:
        if handle is not None:
            os.unlink(handle.name)
        for proc in procs.values():
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
