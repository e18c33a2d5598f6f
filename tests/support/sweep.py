"""python -m tests.support.sweep --url URL [--username admin] [--suffix SUFFIX | --all]

Deletes what tests left on a (real) Harbor: the replication rules, projects (with their repositories and robots), registry
endpoints and system robots whose names carry a test suffix (tests/support/names.py): the suffix given, or with ``--all`` any test
process's (``-it`` + six letters or digits). The password comes from $HARBOR_PASSWORD (never the command line).
The molecule scenarios' destroy step runs it against the real Harbors they used; by hand, it cleans up after a run
that was killed before its teardown.
"""
import argparse
import os
import sys

from tests.support.harbor import Target, sweep


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.support.sweep", description=__doc__.split("\n\n")[1])
    parser.add_argument("--url", required=True)
    parser.add_argument("--username", default=os.environ.get("HARBOR_USERNAME", "admin"))
    parser.add_argument("--ca-path", default=os.environ.get("HARBOR_CA_PATH"))
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--suffix", help="the suffix of one test process (e.g. it3k9x0q)")
    which.add_argument("--all", action="store_true", help="every name that carries a test suffix")
    args = parser.parse_args(argv)
    password = os.environ.get("HARBOR_PASSWORD")
    if password is None:
        parser.error("set HARBOR_PASSWORD")
    sweep(Target(args.url, args.username, password, ca_path=args.ca_path), suffix="*" if args.all else args.suffix)
    return 0


if __name__ == "__main__":
    sys.exit(main())
