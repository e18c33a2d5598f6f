"""python -m tests.differential --a URL --b URL [--json report.json] [--text report.txt] [--case PATTERN ...]

Sends the same request sequences to two Harbors and reports every difference (status, error code and message, body
shape, values, ordering; volatile values normalised). Credentials: ``--a-username``/``--a-password``/``--a-ca``
(likewise ``--b-...``), or the environment variables DIFF_A_USERNAME, DIFF_A_PASSWORD, DIFF_A_CA_PATH (DIFF_B_...);
the user name defaults to ``admin``. Exit status: 0 no difference, 1 differences or a case that broke, 2 bad usage or
a Harbor that does not answer.
"""
import argparse
import json
import os
import sys

from .cases import CASES
from .core import Side, text_report
from .runner import run_all


def side_options(parser, label):
    up = label.upper()
    parser.add_argument("--%s" % label, dest="%s_url" % label, metavar="URL", help="Harbor %s (http(s)://host:port)" % up)
    parser.add_argument("--%s-username" % label, default=os.environ.get("DIFF_%s_USERNAME" % up, "admin"))
    parser.add_argument("--%s-password" % label, default=os.environ.get("DIFF_%s_PASSWORD" % up),
                        help="default: $DIFF_%s_PASSWORD" % up)
    parser.add_argument("--%s-ca" % label, default=os.environ.get("DIFF_%s_CA_PATH" % up), help="CA bundle for an https URL")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.differential", description=__doc__.split("\n\n")[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    side_options(parser, "a")
    side_options(parser, "b")
    parser.add_argument("--case", action="append", default=[], metavar="PATTERN", help="only the cases matching (fnmatch)")
    parser.add_argument("--json", metavar="PATH", help="write the full report (observations included) as JSON")
    parser.add_argument("--text", metavar="PATH", help="write the text report there (default: standard output)")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    args = parser.parse_args(argv)
    if args.list:
        for name, _fn, needs in CASES:
            print("%s%s" % (name, " (needs %s)" % ", ".join(needs) if needs else ""))
        return 0
    sides = []
    for label in ("a", "b"):
        url, password = getattr(args, "%s_url" % label), getattr(args, "%s_password" % label)
        if not url or password is None:
            parser.error("--%s URL and a password (--%s-password or $DIFF_%s_PASSWORD) are required" % (label, label, label.upper()))
        side = Side(label, url, getattr(args, "%s_username" % label), password, ca_path=getattr(args, "%s_ca" % label))
        if side.info()["version"] is None:
            print("Harbor %s at %s gives no version from /api/v2.0/systeminfo: unreachable or the credentials were refused"
                  % (label, url), file=sys.stderr)
            return 2
        sides.append(side)
    report = run_all(sides[0], sides[1], patterns=args.case,
                     progress=lambda name: print("case: %s" % name, file=sys.stderr, flush=True))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(report, handle, indent=1, sort_keys=True, default=str)
    text = text_report(report)
    if args.text:
        with open(args.text, "w") as handle:
            handle.write(text)
        print(text.split("\n\n", 1)[0])
    else:
        print(text, end="")
    summary = report["summary"]
    return 1 if summary["differences"] or summary["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
