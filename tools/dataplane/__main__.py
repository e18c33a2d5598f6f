"""python -m tools.dataplane [--json] [--once]: start the three upstream stand-ins, seed them, print how to reach them.

Prints, per upstream, its URL, credentials, CA and seeded references with their digests, then the time taken to start
and to seed; serves until Ctrl-C or SIGTERM (``--once``: stop right after printing, to measure the set-up).
Try it by hand, e.g. ``skopeo inspect --tls-verify=false --creds '$oauthtoken:nvapi-demo-key' docker://<ngc>/nvaie/vllm:latest``.
"""
import argparse
import json
import signal
import sys
import threading
import time

from . import upstreams


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tools.dataplane", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    parser.add_argument("--once", action="store_true", help="stop the registries right after printing")
    args = parser.parse_args(argv)
    registries = {
        "docker_hub": upstreams.docker_hub_like(),
        "ngc": upstreams.ngc_like(key="nvapi-demo-key"),
        "application_collection": upstreams.application_collection_like(users={"collector": "appco-demo-token"}),
    }
    try:
        started = time.monotonic()
        for registry in registries.values():
            registry.start()
        start_seconds = time.monotonic() - started
        seeded = {flavour: upstreams.seed(registry, flavour) for flavour, registry in registries.items()}
        seed_seconds = time.monotonic() - started - start_seconds
        report = {
            flavour: {"url": registry.url, "username": registry.auth[0] if registry.auth else None,
                      "password": registry.auth[1] if registry.auth else None, "ca_path": registry.ca_path,
                      "cert_dir": registry.cert_dir, "artifacts": {ref: m.digest for ref, m in seeded[flavour].items()}}
            for flavour, registry in registries.items()
        }
        report["seconds"] = {"start": round(start_seconds, 3), "seed": round(seed_seconds, 3)}
        if args.json:
            print(json.dumps(report, sort_keys=True), flush=True)
        else:
            for flavour, registry in registries.items():
                info = report[flavour]
                print("%-23s %s  %s%s" % (flavour, registry.url,
                                          "user %s password %s" % registry.auth if registry.auth else "anonymous",
                                          "  ca %s" % registry.ca_path if registry.ca_path else ""))
                for ref, digest in info["artifacts"].items():
                    print("    %s@%s" % (ref, digest))
            print("started in %.2f s, seeded in %.2f s" % (start_seconds, seed_seconds), flush=True)
        if not args.once:
            done = threading.Event()
            signal.signal(signal.SIGTERM, lambda *_: done.set())
            try:
                while not done.wait(1):
                    pass
            except KeyboardInterrupt:
                pass
    finally:
        for registry in registries.values():
            registry.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
