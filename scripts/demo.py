"""Offline demo: playbooks/site.yml with inventories/demo against emulated Harbors, with images and charts that really
move (everything started here and stopped at the end, also on failure).

The data plane (docs/developing.md "Data plane"):
- three upstream stand-ins, real ``docker-registry`` processes seeded with small OCI artifacts built locally
  (tools/dataplane/upstreams.py): NGC-like (user ``$oauthtoken`` + an API key), Application-Collection-like (TLS with
  its own CA, a user and a token) and Docker-Hub-like (anonymous);
- two Harbor emulators with ``--storage registry`` (each keeps its images in a docker-registry of its own):
  ``connected`` (host ``harbor-connected``: a proxy cache per upstream, push rules to the air gap) and
  ``disconnected`` (host ``harbor-disconnected``: receives the push).
inventories/demo reads their addresses from DEMO_CONNECTED_URL, DEMO_DISCONNECTED_URL, DEMO_NGC_URL, DEMO_APPCO_URL,
DEMO_APPCO_CA and DEMO_DOCKERHUB_URL; the credentials are demo values, never printed.

The playbook runs twice: the first run configures both Harbors, reads a test reference through each cache (fetched from
the upstream and cached) and replicates the caches to the air gap until the digests match; the second must report
changed=0 and send no write request. Then a standard OCI client (skopeo) pulls an image (``--all``: every platform of
the index) and a Helm chart through the proxy cache, and the same digests from the disconnected Harbor.
Usage: scripts/demo.py [--no-pulls] [extra ansible-playbook arguments, e.g. -v or --check]
"""
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tools.dataplane import upstreams  # noqa: E402  (needs REPO on sys.path)
from tools.dataplane.registry import RegistryError  # noqa: E402

ADMIN = ("admin", "Harbor12345")
# Demo secrets; the inventory has the same values (a real one keeps them in Ansible Vault).
NGC_KEY = "demo-ngc-api-key"
APPCO_USER, APPCO_TOKEN = "demo-collector", "demo-appco-token"
RECAP = re.compile(r"^(\S+)\s*:\s*ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)
# What the demo pulls with skopeo: (project/repository on both Harbors, tag, upstream flavour, upstream "repo:tag",
# skopeo copy --all, what it is). The role's test references put them in the caches; the push rules carry them over.
PULLS = [
    ("dockerhub/library/busybox", "1.36", "docker_hub", "library/busybox:1.36", True, "image index (linux/amd64, linux/arm64)"),
    ("nvidiaio/nvaie/vllm", "latest", "ngc", "nvaie/vllm:latest", False, "image"),
    ("application-collection/charts/etcd", "10.2.3", "application_collection", "charts/etcd:10.2.3", False, "Helm chart"),
]


def say(text):
    print("==> " + text, flush=True)


def start_upstreams():
    """The three stand-ins, started and seeded: {flavour: (Registry, {"repo:tag": Manifest})}."""
    registries = {
        "ngc": upstreams.ngc_like(key=NGC_KEY),
        "application_collection": upstreams.application_collection_like(users={APPCO_USER: APPCO_TOKEN}),
        "docker_hub": upstreams.docker_hub_like(),
    }
    started = {}
    try:
        for flavour, registry in registries.items():
            started[flavour] = (registry.start(), upstreams.seed(registry, flavour))
    except Exception:
        for registry in registries.values():
            registry.close()
        raise
    return started


def start_emulator():
    """Start one registry-backed emulator; its address is read later by ``address_of`` (so that both start side by side)."""
    return subprocess.Popen([sys.executable, "-m", "tests.harbor_emulator", "--port", "0", "--storage", "registry"],
                            cwd=str(REPO), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def address_of(name, proc):
    line = proc.stdout.readline().strip()
    if not line.startswith("listening on "):
        raise SystemExit("the %s emulator did not start: %r" % (name, line))
    return line[len("listening on "):]


def playbook(env, args):
    """Run site.yml with the demo inventory, streaming its output; returns (rc, total changed)."""
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
    say("where the images are (the API's digests)")
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
                            hint = "helm pull oci://%s/%s --version %s" % (host, repo, tag["name"])
                        else:
                            hint = "docker pull %s/%s:%s" % (host, repo, tag["name"])
                        print("    %-12s %-75s %s %s" % (name, hint, art["type"], art["digest"]))


def who_logs_in(emulators):
    """The endpoints' credentials and the robot accounts the roles keep (the emulator's built-in robot$automation left
    out): the air gap's endpoint logs in as a robot with push/pull in its destination projects, not as an administrator."""
    say("credentials: the endpoints and the robot accounts the roles keep")
    for name in ("connected", "disconnected"):
        url = emulators[name]
        for registry in requests.get(url + "/api/v2.0/registries", auth=ADMIN, timeout=10).json():
            login = (registry.get("credential") or {}).get("access_key") or "anonymous"
            print("    %-12s endpoint %s logs in as %s" % (name, registry["name"], login))
        for robot in requests.get(url + "/api/v2.0/robots", auth=ADMIN, timeout=10).json():
            if robot["name"] == "robot$automation":
                continue
            rights = ["%s %s in %s" % (access["action"], access["resource"], perm["namespace"])
                      for perm in robot.get("permissions") or [] for access in perm.get("access") or []]
            print("    %-12s robot account %s: %s" % (name, robot["name"], ", ".join(rights)))


def skopeo(*args):
    result = subprocess.run(["skopeo"] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120,
                            check=False)
    if result.returncode != 0:
        raise RuntimeError("skopeo %s failed: %s" % (args[0], result.stderr.strip()[-500:]))
    return result.stdout


def pull(name, url, repository, tag, everything, chart, workdir):
    """Pull with skopeo (copy into an OCI layout, every platform of an index with --all) and read the digest with
    ``skopeo inspect --raw`` (the sha256 of the manifest bytes, what ``skopeo inspect`` shows as Digest); the digest
    in the layout's index.json must be the same. Prints the commands (the password as $HARBOR_PASSWORD), the digest and
    the Docker/Helm equivalent; returns the digest."""
    host = url.split("://", 1)[1]
    ref = "docker://%s/%s:%s" % (host, repository, tag)
    layout = os.path.join(workdir, "%s-%s" % (name, repository.replace("/", "_")))
    copy = ["copy"] + (["--all"] if everything else []) + ["--src-tls-verify=false"]
    skopeo(*(copy + ["--src-creds=%s:%s" % ADMIN, ref, "oci:%s:%s" % (layout, tag)]))
    raw = skopeo("inspect", "--raw", "--tls-verify=false", "--creds=%s:%s" % ADMIN, ref)
    digest = "sha256:" + hashlib.sha256(raw.encode()).hexdigest()
    with open(os.path.join(layout, "index.json")) as handle:                  # what arrived on disk
        stored = json.load(handle)["manifests"][0]["digest"]
    hint = ("helm pull oci://%s/%s --version %s" % (host, repository, tag) if chart
            else "docker pull %s/%s:%s" % (host, repository, tag))
    print("    %-12s $ skopeo %s --src-creds admin:$HARBOR_PASSWORD %s oci:%s:%s" % (name, " ".join(copy), ref, layout, tag))
    print("    %-12s $ skopeo inspect --raw --tls-verify=false --creds admin:$HARBOR_PASSWORD %s | sha256sum" % (name, ref))
    print("    %-12s Digest: %s   (like: %s)" % (name, digest, hint))
    if stored != digest:
        print("    %-12s the copy on disk has %s" % (name, stored))
        return stored
    return digest


def pulls(emulators, seeded):
    """Pull through the connected Harbor's caches, then from the disconnected Harbor; True when every digest matches
    the upstream's."""
    ok = True
    with tempfile.TemporaryDirectory(prefix="demo-pulls-") as workdir:
        say("pull through the proxy cache of the connected Harbor with skopeo (a standard OCI client)")
        got = {}
        for repository, tag, flavour, upstream_ref, everything, what in PULLS:
            print("    %s:%s (%s; upstream %s)" % (repository, tag, what, upstream_ref))
            got[repository] = pull("connected", emulators["connected"], repository, tag, everything, what == "Helm chart", workdir)
        say("pull the same references from the disconnected Harbor (after the air-gap push replication)")
        for repository, tag, flavour, upstream_ref, everything, what in PULLS:
            print("    %s:%s (%s)" % (repository, tag, what))
            there = pull("disconnected", emulators["disconnected"], repository, tag, everything, what == "Helm chart", workdir)
            upstream = seeded[flavour][1][upstream_ref].digest
            same = got[repository] == there == upstream
            ok = ok and same
            if same:
                print("    same digest upstream, connected, disconnected: %s:%s@%s" % (repository, tag, there))
            else:
                print("    DIGESTS DIFFER for %s:%s: upstream %s, connected %s, disconnected %s" % (
                    repository, tag, upstream, got[repository], there))
    return ok


def main(argv):
    args = [a for a in argv if a != "--no-pulls"]
    with_pulls = "--no-pulls" not in argv and "--check" not in args
    procs, seeded = {}, {}
    try:
        say("starting the data plane: 3 upstream registries (seeded) and 2 registry-backed Harbor emulators")
        started = time.monotonic()
        for name in ("connected", "disconnected"):
            procs[name] = start_emulator()              # they start while the upstreams are seeded
        try:
            seeded = start_upstreams()
        except RegistryError as exc:                    # not installed (scripts/demo installs them), or did not start
            print("FAILED: the upstream registries did not start: %s" % exc)
            return 1
        emulators = {name: address_of(name, proc) for name, proc in procs.items()}
        setup = time.monotonic() - started
        for flavour, (registry, artifacts) in seeded.items():
            refs = ", ".join("%s@%s" % (ref, m.digest[:19]) for ref, m in artifacts.items())
            print("    %-31s %-28s %s" % ("upstream " + flavour, registry.url, refs))
        for name, url in emulators.items():
            print("    %-31s %s" % ("Harbor " + name, url))
        say("data plane set up in %.1f s" % setup)
        env = {k: v for k, v in os.environ.items() if not k.startswith("HARBOR_")}
        appco = seeded["application_collection"][0]
        env.update(ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="0", DEMO_CONNECTED_URL=emulators["connected"],
                   DEMO_DISCONNECTED_URL=emulators["disconnected"], DEMO_NGC_URL=seeded["ngc"][0].url,
                   DEMO_APPCO_URL=appco.url, DEMO_APPCO_CA=appco.ca_path, DEMO_DOCKERHUB_URL=seeded["docker_hub"][0].url)
        say("first run: configure both Harbors, pull a test reference through each cache, replicate to the air gap")
        began = time.monotonic()
        rc, changed = playbook(env, args)
        if rc != 0:
            return rc
        say("first run took %.1f s" % (time.monotonic() - began))
        say("second run: must report changed=0 and send no write request")
        for url in emulators.values():
            requests.delete(url + "/_emulator/requests", timeout=10).raise_for_status()
        began = time.monotonic()
        rc, changed = playbook(env, args)
        if rc != 0:
            return rc
        writes = ["%s: %s %s" % (name, entry["method"], entry["path"]) for name, url in emulators.items()
                  for entry in requests.get(url + "/_emulator/requests", timeout=10).json() if entry["method"] not in ("GET", "HEAD")]
        if "--check" not in args and (changed != 0 or writes):
            print("FAILED: the second run reported changed=%s and sent %d write request(s): %s" % (changed, len(writes), writes))
            return 1
        took = time.monotonic() - began
        say("second run: changed=0, 0 write requests in the request logs of %s (%.1f s)" % (", ".join(emulators), took))
        if "--check" in args:
            say("demo done (check mode): nothing was written")
            return 0
        where_the_images_are(emulators)
        who_logs_in(emulators)
        if with_pulls:
            began = time.monotonic()
            if not pulls(emulators, seeded):
                print("FAILED: a pulled digest differs from the upstream's")
                return 1
            say("pulled through the cache and from the air gap: the same digests as upstream (%.1f s)" % (time.monotonic() - began))
        say("demo done: both Harbors configured, images and a chart cached and replicated, second run changed nothing")
        return 0
    finally:
        for proc in procs.values():
            proc.terminate()                            # an emulator stops its own registry on SIGTERM
        for proc in procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()                             # its registry dies with it (PR_SET_PDEATHSIG)
                proc.wait(timeout=10)
        for registry, _ in seeded.values():
            registry.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
