"""Test controls, outside Harbor's API (``/_emulator/...``): the request log and fault injection.

- ``GET /_emulator/requests``: ``[{method, path, query, status}]`` of every request under /api/, /v2 and /service
  (never bodies, never auth headers; ``status`` 0 when a fault dropped the connection); ``DELETE /_emulator/requests``
  clears it.
- ``POST /_emulator/faults``: ``{"method": "GET", "path": "/api/v2.0/registries*", "count": 1, "status": 503,
  "retry_after": 1, "delay": 0, "drop": false}``: the next ``count`` requests matching ``method`` (``*`` for any) and
  the fnmatch ``path`` answer ``status`` with Harbor's error body (``Retry-After`` when given), are delayed by
  ``delay`` seconds and then handled normally (no ``status``), or lose their connection (``drop``: before the server
  acts; ``drop_after``: the request is handled, then the connection is closed before the answer is sent, like a proxy
  or a network that fails while Harbor commits). ``DELETE /_emulator/faults`` clears them.
  ``"barrier": N`` holds each of the next N matching requests until all N have arrived (at most ``barrier_timeout``
  seconds, default 20), then lets them go on together: concurrent clients collide for sure (the race suites).
  A logged request that a fault touched carries ``fault``: ``status``, ``drop``, ``drop_after``, ``barrier`` or ``delay``.
  ``GET /_emulator/state`` summarises the state for debugging.
Controls themselves are neither logged nor faulted.
"""
import fnmatch
import socket
import threading
import time

from flask import Blueprint, Response, current_app, g, jsonify, request

from .errors import HarborAPIError, bad_request

bp = Blueprint("controls", __name__)

LOGGED_PREFIXES = ("/api/", "/v2", "/service/")
CODE_OF_STATUS = {429: "TOO_MANY_REQUEST", 500: "UNKNOWN", 502: "UNKNOWN", 503: "UNKNOWN", 504: "UNKNOWN",
                  400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND", 409: "CONFLICT",
                  412: "PRECONDITION"}


def controls(state):
    return state.extensions.setdefault("controls", {"log": [], "faults": []})


def logged(path):
    return path.startswith(LOGGED_PREFIXES)


def apply_faults(state):
    """Called before every request: run the first matching fault, if any."""
    if not logged(request.path):
        return None
    with state.lock:
        fault = None
        for candidate in controls(state)["faults"]:
            if candidate["count"] > 0 and candidate["method"] in ("*", request.method) \
                    and fnmatch.fnmatchcase(request.path, candidate["path"]):
                candidate["count"] -= 1
                fault = dict(candidate)
                break
    if fault is None:
        return None
    g.emulator_fault = True             # an injected answer: not Harbor's behaviour, not checked against the spec
    g.emulator_fault_kind = ("drop" if fault.get("drop") else "status" if fault.get("status")
                             else "drop_after" if fault.get("drop_after") else "barrier" if fault.get("barrier")
                             else "delay")
    if fault.get("barrier"):
        try:
            fault["barrier"].wait()
        except threading.BrokenBarrierError:
            pass                        # not all arrived in time: go on rather than hang the client
    if fault.get("delay"):
        time.sleep(fault["delay"])
    if fault.get("drop_after"):
        g.emulator_drop_after = True    # handled normally; record() closes the socket instead of answering
    if fault.get("drop"):
        g.emulator_dropped = True
        record(state, None)             # logged before the client can see the reset and send its next request
        drop_connection()
        return Response(status=500)     # never reaches the client: the socket is closed
    status = fault.get("status")
    if not status:
        return None
    err = HarborAPIError(CODE_OF_STATUS.get(status, "UNKNOWN"), fault.get("message") or "injected fault", status=status)
    resp = jsonify(err.payload())
    resp.status_code = status
    if fault.get("retry_after") is not None:
        resp.headers["Retry-After"] = str(fault["retry_after"])
    return resp


def record(state, resp):
    if logged(request.path) and not g.get("emulator_recorded"):
        g.emulator_recorded = True
        entry = {"method": request.method, "path": request.path, "query": request.query_string.decode("latin-1"),
                 "status": 0 if g.get("emulator_dropped") else resp.status_code}
        if g.get("emulator_fault_kind"):
            entry["fault"] = g.emulator_fault_kind
        with state.lock:
            controls(state)["log"].append(entry)
    if g.get("emulator_drop_after"):
        drop_connection()               # the server acted (status logged), the client never hears of it
    return resp


@bp.get("/_emulator/requests")
def get_requests():
    st = current_app.config["state"]
    with st.lock:
        return jsonify(list(controls(st)["log"]))


@bp.delete("/_emulator/requests")
def clear_requests():
    st = current_app.config["state"]
    with st.lock:
        controls(st)["log"].clear()
    return jsonify([])


@bp.post("/_emulator/faults")
def add_fault():
    st = current_app.config["state"]
    fault = parse_fault(request.get_json(silent=True))
    with st.lock:
        controls(st)["faults"].append(fault)
    shown = dict(fault, barrier=fault["barrier"].parties) if fault.get("barrier") else fault
    return jsonify(shown), 201


def parse_fault(data):
    if not isinstance(data, dict) or not isinstance(data.get("path"), str):
        raise bad_request("a fault needs at least 'path' (an fnmatch pattern)")
    try:
        fault = {"method": str(data.get("method") or "*").upper(), "path": data["path"], "count": int(data.get("count", 1)),
                 "status": int(data["status"]) if data.get("status") else None,
                 "retry_after": data.get("retry_after"), "delay": float(data.get("delay") or 0),
                 "drop": bool(data.get("drop")), "drop_after": bool(data.get("drop_after")), "message": data.get("message")}
        if data.get("barrier"):
            parties = int(data["barrier"])
            fault["barrier"] = threading.Barrier(parties, timeout=float(data.get("barrier_timeout") or 20))
            fault["count"] = parties
    except (TypeError, ValueError) as exc:
        raise bad_request("bad fault: %s" % exc)
    if not (fault["status"] or fault["delay"] or fault["drop"] or fault["drop_after"] or fault.get("barrier")):
        raise bad_request("a fault needs 'status', 'delay', 'drop', 'drop_after' or 'barrier'")
    if fault["drop_after"] and (fault["status"] or fault["drop"]):
        raise bad_request("'drop_after' lets the server act, so it takes no 'status' nor 'drop'")
    if fault["status"] and not 100 <= fault["status"] <= 599:
        raise bad_request("'status' must be an HTTP status code")
    return fault


@bp.delete("/_emulator/faults")
def clear_faults():
    st = current_app.config["state"]
    with st.lock:
        controls(st)["faults"].clear()
    return jsonify([])


@bp.get("/_emulator/state")
def summary():
    st = current_app.config["state"]
    with st.lock:
        return jsonify({"version": st.harbor_version, "registries": sorted(r["name"] for r in st.registries.values()),
                        "projects": sorted(p["name"] for p in st.projects.values()),
                        "policies": sorted(p["name"] for p in st.policies.values()),
                        "executions": len(st.executions), "requests_logged": len(controls(st)["log"])})


def drop_connection():
    """Close the client's socket (werkzeug's dev server hands it over as ``werkzeug.socket``)."""
    sock = request.environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()
