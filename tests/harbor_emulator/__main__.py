"""python -m tests.harbor_emulator [--host 127.0.0.1] [--port 0] [--tls] [--version 2.15.2] [--admin-password Harbor12345]
[--storage memory|registry] [--robot-prefix 'robot$']"""
import argparse
import signal
import sys
import threading

from .app import Emulator


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.harbor_emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls", action="store_true", help="serve HTTPS with a CA generated at start")
    parser.add_argument("--version", default="2.15.2", help="Harbor version whose behaviour to emulate")
    parser.add_argument("--admin-password", default="Harbor12345")
    parser.add_argument("--user", action="append", default=[], metavar="NAME:PASSWORD",
                        help="an extra (non-admin) user; may be repeated")
    parser.add_argument("--storage", choices=("memory", "registry"), default="memory",
                        help="where artifacts live: in memory (records only), or in a docker-registry process of its own")
    parser.add_argument("--robot-prefix", default="robot$",
                        help="the robot_name_prefix system setting: robot login names are this prefix + the robot's name")
    args = parser.parse_args(argv)
    users = dict(u.split(":", 1) for u in args.user if ":" in u)
    emulator = Emulator(host=args.host, port=args.port, version=args.version, admin_password=args.admin_password,
                        tls=args.tls, users=users, storage=args.storage,
                        robot_prefix=args.robot_prefix)
    # The handler goes in before the address is printed: a caller may send SIGTERM as soon as it has read it.
    # shutdown() before serve_forever() is fine: serve_forever() then returns at once.
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=emulator.server.shutdown).start())
    print("listening on %s" % emulator.url, flush=True)
    if emulator.ca_path:
        print("ca %s" % emulator.ca_path, flush=True)
    if emulator.storage.kind == "registry":
        print("storage %s" % emulator.storage.registry.url, flush=True)
    try:
        emulator.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
