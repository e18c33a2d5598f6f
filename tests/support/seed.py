"""python -m tests.support.seed --url URL --project P --repository R --tag T [--tag T2] [--type chart] [--public]

What the emulator's seed control does, on any Harbor: the project (private unless ``--public``) when missing, then a
small OCI image (or a Helm chart) pushed through ``/v2/`` under every tag (``tests.support.harbor.push_seed``). The
password comes from $HARBOR_PASSWORD. The molecule scenarios' create step seeds real Harbors with it.
"""
import argparse
import os
import sys

from tests.support.harbor import Target, push_seed


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.support.seed", description=__doc__.split("\n\n")[1])
    parser.add_argument("--url", required=True)
    parser.add_argument("--username", default=os.environ.get("HARBOR_USERNAME", "admin"))
    parser.add_argument("--ca-path", default=os.environ.get("HARBOR_CA_PATH"))
    parser.add_argument("--project", required=True)
    parser.add_argument("--repository", required=True)
    parser.add_argument("--tag", action="append", default=[])
    parser.add_argument("--type", default="image", choices=("image", "chart"))
    parser.add_argument("--public", action="store_true")
    args = parser.parse_args(argv)
    password = os.environ.get("HARBOR_PASSWORD")
    if password is None:
        parser.error("set HARBOR_PASSWORD")
    target = Target(args.url, args.username, password, ca_path=args.ca_path)
    pushed = push_seed(target, args.project, args.repository, tags=args.tag, type=args.type)
    if args.public:
        resp = target.api("PUT", "/projects/" + args.project, json={"metadata": {"public": "true"}},
                          headers={"X-Is-Resource-Name": "true"})
        resp.raise_for_status()
    print(pushed["digest"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
