"""Offline demo: playbooks/site.yml with inventories/demo against emulated Harbors (started here, stopped at the end).

Three emulators play the parts of the set-ups in docs/scenarios.md:
- ``upstream``: stands in for an Internet registry (NVIDIA NGC, with NGC's user ``$oauthtoken`` and an API key);
- ``connected``: the Internet-facing Harbor (host ``harbor-connected``): a proxy cache for the upstream, curated
  projects, a push rule to the disconnected Harbor;
- ``disconnected``: the air-gapped Harbor (host ``harbor-disconnected``): receives the push and pulls the Application
  Collection images from the connected Harbor.
inventories/demo reads their URLs from DEMO_UPSTREAM_URL, DEMO_CONNECTED_URL and DEMO_DISCONNECTED_URL.
The playbook runs twice: the first run configures and replicates everything, the second must report changed=0.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
ADMIN = ("admin", "Harbor12345")
NGC_KEY = "demo-ngc-api-key"
RECAP = re.compile(r"^(\S+)\s*:\s*ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)
# (emulator, project, repository, tags, type): what the Internet and the operators put there before the playbook runs.
SEEDS = [
    ("upstream", "nvaie", "vllm", ["latest"], "image"),                             # pulled through the NGC cache
    ("connected", "nvaie", "nvidia/cuda", ["12.4.1-base", "12.4.1-runtime"], "image"),  # curated, pushed to the air gap
    ("connected", "nvaie", "nvidia/tritonserver", ["24.05-py3"], "image"),
    ("connected", "nvaie", "nvidia/scratch", ["dev"], "image"),                     # not selected by the tag filter
    ("connected", "appco", "containers/etcd", ["3.5.14-7.7"], "image"),             # pulled by the disconnected Harbor
    ("connected", "appco", "charts/etcd", ["10.1.0"], "chart"),
]


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


def seed(url, project, repository, tags, kind):
    resp = requests.post(url + "/_emulator/seed", json={"project": project, "repository": repository, "tags": tags, "type": kind},
                         timeout=10)
    resp.raise_for_status()


def make_public(url, project):
    resp = requests.put(url + "/api/v2.0/projects/" + project, json={"metadata": {"public": "true"}}, auth=ADMIN,
                        headers={"X-Is-Resource-Name": "true"}, timeout=10)
    resp.raise_for_status()


def playbook(env, args):
    """Run site.yml with the demo inventory, streaming its output; returns (rc, total changed, {host: failed})."""
    cmd = [str(Path(sys.executable).with_name("ansible-playbook")), str(REPO / "playbooks" / "site.yml"),
           "-i", str(REPO / "inventories" / "demo")] + list(args)
    output = []
    with subprocess.Popen(cmd, cwd=str(REPO), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
        for line in proc.stdout:                        # shown as it comes, kept for the recap
            print(line, end="", flush=True)
            output.append(line)
    recap = RECAP.findall("".join(output))
    return proc.returncode, sum(int(changed) for _, changed, _, _ in recap) if recap else None


def where_the_images_are(emulators):
    print("==> where the images are")
    for name in ("connected", "disconnected"):
        url = emulators[name]
        host = url.split("://", 1)[1]
        projects = requests.get(url + "/api/v2.0/projects", auth=ADMIN, params={"page_size": 100}, timeout=10).json()
        for project in sorted(p["name"] for p in projects):
            repos = requests.get("%s/api/v2.0/projects/%s/repositories" % (url, project), auth=ADMIN,
                                 params={"page_size": 100}, timeout=10).json()
            for repo in sorted(r["name"] for r in repos):
                short = repo.split("/", 1)[1].replace("/", "%252F")
                arts = requests.get("%s/api/v2.0/projects/%s/repositories/%s/artifacts" % (url, project, short), auth=ADMIN,
                                    params={"page_size": 100}, timeout=10).json()
                for art in arts:
                    for tag in art.get("tags") or []:
                        if art.get("type") == "CHART":
                            print("    %-12s helm pull oci://%s/%s --version %s" % (name, host, repo, tag["name"]))
                        else:
                            print("    %-12s docker pull %s/%s:%s" % (name, host, repo, tag["name"]))


def main(args):
    procs = {}
    try:
        # The upstream plays nvcr.io: it knows NGC's literal user "$oauthtoken" with the demo API key as password.
        for name, extra in (("upstream", ("--user", "$oauthtoken:" + NGC_KEY)), ("connected", ()), ("disconnected", ())):
            procs[name] = start_emulator(*extra)
        emulators = {name: address_of(name, proc) for name, proc in procs.items()}
        for name, project, repository, tags, kind in SEEDS:
            seed(emulators[name], project, repository, tags, kind)
        make_public(emulators["upstream"], "nvaie")
        env = {k: v for k, v in os.environ.items() if not k.startswith("HARBOR_")}
        env.update(ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="0", **{
            "DEMO_%s_URL" % name.upper(): url for name, url in emulators.items()})
        print("==> first run: configure both Harbors and replicate", flush=True)
        rc, changed = playbook(env, args)
        if rc != 0:
            return rc
        print("==> second run: must report changed=0 and send no write request", flush=True)
        for url in emulators.values():
            requests.delete(url + "/_emulator/requests", timeout=10).raise_for_status()
        rc, changed = playbook(env, args)
        if rc != 0:
            return rc
        writes = ["%s: %s %s" % (name, entry["method"], entry["path"]) for name, url in emulators.items()
                  for entry in requests.get(url + "/_emulator/requests", timeout=10).json() if entry["method"] not in ("GET", "HEAD")]
        if "--check" not in args and (changed != 0 or writes):
            print("FAILED: the second run reported changed=%s and sent %d write request(s): %s" % (changed, len(writes), writes))
            return 1
        print("==> second run: changed=0, 0 write requests in the request logs of %s" % ", ".join(emulators))
        if "--check" not in args:
            where_the_images_are(emulators)
        print("==> demo done: both Harbors configured, images replicated, second run changed nothing")
        return 0
    finally:
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
