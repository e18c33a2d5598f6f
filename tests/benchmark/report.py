"""From the raw runs to the summary, the issue's targets (met / not met) and the generated docs/performance.md.

``analyse(meta, status, detected, runs, waits)`` -> the JSON result; ``markdown(result)`` -> the report. Both are pure,
so a report can be regenerated from a saved JSON: ``python -m tests.benchmark.report RESULT.json > docs/performance.md``.
"""
import json
import re
import statistics
import sys

from tests.support.machine_paths import hide

PHASE_ORDER = ("floor", "first", "unchanged", "changed")
VARIANT_ORDER = ("floor", "loop", "list", "roles", "uri", "peer")
VARIANT_TITLE = {"floor": "floor: ansible.builtin.ping loops", "loop": "registryops.harbor, one call per object",
                 "list": "registryops.harbor, list calls", "roles": "registryops.harbor roles (list calls)",
                 "uri": "naive ansible.builtin.uri playbook", "peer": "peer collection"}
# issue 11's targets; issue 21 moved the per-item loop's unchanged run to 1.45x (HTTP through requests again)
LIMITS = {("loop", "unchanged"): 1.45, ("loop", "first"): 1.5, ("list", "unchanged"): 0.1, ("list", "first"): 0.3}
LIST_TARGET_N = 200
MEMORY_FLAT = 1.10


def median(values):
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 4) if values else None


def summarise(runs):
    groups = {}
    for run in runs:
        groups.setdefault((run["variant"], run["n"], run["phase"]), []).append(run)
    floor_cpu = {n: median([r["cpu"] / r["items"] for r in group]) for (v, n, p), group in groups.items() if v == "floor"}
    floor_wall = {n: median([r["wall"] / r["items"] for r in group]) for (v, n, p), group in groups.items() if v == "floor"}
    floor_mod = {n: median([r["module_cpu"] / r["items"] for r in group]) for (v, n, p), group in groups.items() if v == "floor"}
    summary = []
    for (variant, n, phase), group in groups.items():
        last = group[-1]
        items = last["items"]
        row = {"variant": variant, "n": n, "phase": phase, "items": items, "objects": last["objects"],
               "repetitions": len(group), "ok": all(r["rc"] == 0 for r in group),
               "wall": median([r["wall"] for r in group]), "cpu": median([r["cpu"] for r in group]),
               "module_cpu": median([r["module_cpu"] for r in group]), "module_calls": last["module_calls"],
               "modules": last["modules"], "module_maxrss_kb": max(r["module_maxrss_kb"] for r in group),
               "tree_maxrss_kb": max(r["tree_maxrss_kb"] for r in group), "changed": [r["changed"] for r in group],
               "requests": last.get("requests")}
        row["cpu_per_item"] = round(row["cpu"] / items, 4)
        row["wall_per_item"] = round(row["wall"] / items, 4)
        row["module_cpu_per_item"] = round(row["module_cpu"] / items, 4)
        row["controller_cpu_per_item"] = round((row["cpu"] - row["module_cpu"]) / items, 4)
        if floor_cpu.get(n):
            row["cpu_ratio"] = round(row["cpu_per_item"] / floor_cpu[n], 3)
            row["wall_ratio"] = round(row["wall_per_item"] / floor_wall[n], 3)
            row["floor_module_cpu_per_item"] = floor_mod[n]
        summary.append(row)
    summary.sort(key=lambda r: (VARIANT_ORDER.index(r["variant"]), r["n"], PHASE_ORDER.index(r["phase"])))
    return summary


def find(summary, variant, n, phase):
    for row in summary:
        if (row["variant"], row["n"], row["phase"]) == (variant, n, phase):
            return row
    return None


def largest(summary, variant, phase):
    """The row of ``variant``/``phase`` at the largest N it ran for (variants may run for different sizes)."""
    rows = [r for r in summary if r["variant"] == variant and r["phase"] == phase]
    return max(rows, key=lambda r: r["n"]) if rows else None


def request_target(row):
    """Unchanged re-run: 0 writes and at most 1 GET per object + 1 per module call."""
    req = row.get("requests") or {}
    gets = (req.get("by_method") or {}).get("GET", 0)
    limit = row["objects"] + row["module_calls"]
    return {"target": "unchanged re-run: 0 writes, <= 1 GET per object + 1 per module call", "variant": row["variant"],
            "n": row["n"], "value": "%d writes, %d GET" % (req.get("writes", 0), gets),
            "limit": "0 writes, %d GET (%d objects + %d calls)" % (limit, row["objects"], row["module_calls"]),
            "met": (req.get("writes", 0) == 0 and gets <= limit) if row["ok"] else None,
            "note": None if row["ok"] else "the run failed"}


def targets(summary, waits, status):
    found = []
    sizes = sorted({r["n"] for r in summary})
    for variant in ("loop", "list", "roles", "peer"):
        for n in sizes:
            row = find(summary, variant, n, "unchanged")
            if row:
                found.append(request_target(row))
    for (variant, phase), limit in sorted(LIMITS.items()):
        if status.get(variant):
            found.append({"target": "%s %s: CPU <= %s x the floor" % (variant, phase, limit), "variant": variant,
                          "n": None, "value": None, "limit": "%s x" % limit, "met": None, "note": status[variant]})
            continue
        checked = sizes if variant == "loop" else [n for n in sizes if n == LIST_TARGET_N] or sizes[-1:]
        for n in checked:
            row = find(summary, variant, n, phase)
            if row and row.get("cpu_ratio") is not None:
                entry = {"target": "%s %s: CPU <= %s x the floor%s" % (
                    variant, phase, limit, " per item" if variant == "loop" else " for the same items"),
                    "variant": variant, "n": n, "value": "%.2f x" % row["cpu_ratio"], "limit": "%s x" % limit,
                    "met": row["ok"] and row["cpu_ratio"] <= limit}
                if variant == "list" and n != LIST_TARGET_N:
                    entry["note"] = "the target is for N = %d; the largest N measured was %d" % (LIST_TARGET_N, n)
                found.append(entry)
    for variant in ("loop", "list", "roles"):
        rows = [r for r in summary if r["variant"] == variant and r["phase"] == "first"]
        if len(rows) >= 2:
            low, high = rows[0], rows[-1]
            peak = {n: max(r["module_maxrss_kb"] for r in summary if r["variant"] == variant and r["n"] == n)
                    for n in (low["n"], high["n"])}
            ratio = peak[high["n"]] / float(peak[low["n"]] or 1)
            found.append({"target": "module process memory flat in N (<= %.2f x)" % MEMORY_FLAT, "variant": variant,
                          "n": high["n"], "value": "%.1f MiB at N=%d, %.1f MiB at N=%d (%.2f x)" % (
                              peak[low["n"]] / 1024.0, low["n"], peak[high["n"]] / 1024.0, high["n"], ratio),
                          "limit": "%.2f x" % MEMORY_FLAT, "met": ratio <= MEMORY_FLAT})
    for case in waits:
        found.append({"target": "execution wait notices a terminal state within one poll interval", "variant": "execution",
                      "n": None, "value": "%s s after the end" % case.get("notice_s"),
                      "limit": "wait_sleep %s s (task_seconds %s)" % (case["wait_sleep"], case["task_seconds"]),
                      "met": case.get("met")})
    return found


def analyse(meta, status, detected, runs, waits, import_costs=(), memory=()):
    summary = summarise(runs)
    found = targets(summary, waits, status)
    ratios = memory_ratios(memory)
    for target in found:
        if target["variant"] == "list" and target["target"].startswith("module process memory") and len(ratios) > 1:
            target["note"] = "by interpreter, first converge: %s" % ", ".join(
                "Python %s %.2f x" % (python, ratio) for python, ratio in ratios)
    return {"meta": meta, "variants": status, "detected": detected, "summary": summary, "targets": found,
            "execution_wait": waits, "imports": list(import_costs), "memory_by_python": list(memory), "runs": runs}


def memory_ratios(memory, phase="first"):
    """[(python version, peak at the largest N / peak at the smallest N)] of the list calls, per interpreter."""
    found = []
    for python in dict.fromkeys(r["python"] for r in memory):
        rows = sorted((r for r in memory if r["python"] == python and r["phase"] == phase), key=lambda r: r["n"])
        if len(rows) >= 2:
            found.append((python, rows[-1]["maxrss_kb"] / float(rows[0]["maxrss_kb"] or 1)))
    return found


def memory_python_table(memory):
    sizes = sorted({r["n"] for r in memory})
    rows = []
    for python in dict.fromkeys(r["python"] for r in memory):
        for phase in dict.fromkeys(r["phase"] for r in memory):
            peak = dict((r["n"], r["maxrss_kb"]) for r in memory if r["python"] == python and r["phase"] == phase)
            if len(peak) < 2:
                continue
            low, high = peak[sizes[0]], peak[sizes[-1]]
            rows.append(["Python %s" % python, phase] + ["%.1f" % (peak[n] / 1024.0) for n in sizes]
                        + ["%+.1f MiB (%.2f x)" % ((high - low) / 1024.0, high / float(low or 1))])
    return table(["module interpreter", "run"] + ["N = %d (MiB)" % n for n in sizes] + ["growth"], rows)


# -- Markdown -------------------------------------------------------------------------------------------------------
def fmt(value, digits=2):
    return "–" if value is None else ("%.*f" % (digits, value))


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def measured_rows(summary):
    keys = []
    for row in summary:
        key = (row["variant"], row["phase"])
        if key not in keys:
            keys.append(key)
    return keys


def cpu_table(summary, sizes):
    rows = []
    for variant, phase in measured_rows(summary):
        cells = []
        for n in sizes:
            row = find(summary, variant, n, phase)
            if not row:
                cells.append("–")
                continue
            text = "%.3f" % row["cpu_per_item"]
            if variant != "floor" and row.get("cpu_ratio") is not None:
                text += " (%.2f×)" % row["cpu_ratio"]
            if not row["ok"]:
                text += " FAILED"
            cells.append(text)
        rows.append([variant, phase] + cells)
    return table(["variant", "run"] + ["N = %d" % n for n in sizes], rows)


def wall_table(summary, sizes):
    rows = []
    for variant, phase in measured_rows(summary):
        cells = []
        for n in sizes:
            row = find(summary, variant, n, phase)
            cells.append("–" if not row else "%.1f s / %.1f s (%d items%s)" % (
                row["wall"], row["cpu"], row["items"],
                "; wall %.2f× the floor's per item" % row["wall_ratio"] if variant != "floor" and row.get("wall_ratio") else ""))
        rows.append([variant, phase] + cells)
    return table(["variant", "run"] + ["N = %d: wall / CPU" % n for n in sizes], rows)


def requests_table(summary, sizes):
    rows = []
    for variant, phase in measured_rows(summary):
        if variant == "floor":
            continue
        cells = []
        for n in sizes:
            row = find(summary, variant, n, phase)
            req = row and row.get("requests")
            if not req:
                cells.append("–")
                continue
            methods = ", ".join("%s %d" % kv for kv in req["by_method"].items())
            cells.append("%.2f / %.2f (%s; %d calls%s)" % (
                req["reads"] / float(row["objects"]), req["writes"] / float(row["objects"]), methods, row["module_calls"],
                "; changed=%s" % row["changed"][-1] if phase == "unchanged" and row["changed"][-1] else ""))
        rows.append([variant, phase] + cells)
    return table(["variant", "run"] + ["N = %d: reads / writes per object" % n for n in sizes], rows)


def kinds_table(summary):
    """Requests by path of each variant's unchanged re-run, at the largest N it ran for."""
    rows = []
    for variant in ("loop", "list", "roles", "uri", "peer"):
        row = largest(summary, variant, "unchanged")
        if not row or not row.get("requests"):
            continue
        for kind, methods in row["requests"]["by_kind"].items():
            rows.append([variant, row["n"], kind, ", ".join("%s %d" % kv for kv in methods.items()),
                         fmt(sum(methods.values()) / float(row["objects"]))])
    return table(["variant", "N", "path", "requests", "per object"], rows)


def memory_table(summary, sizes):
    rows = []
    for variant in VARIANT_ORDER:
        cells = []
        for n in sizes:
            group = [r for r in summary if r["variant"] == variant and r["n"] == n]
            if not group:
                cells.append("–")
                continue
            cells.append("%.1f / %.1f" % (max(r["module_maxrss_kb"] for r in group) / 1024.0,
                                          max(r["tree_maxrss_kb"] for r in group) / 1024.0))
        if any(c != "–" for c in cells):
            rows.append([variant] + cells)
    return table(["variant"] + ["N = %d: module / largest process (MiB)" % n for n in sizes], rows)


def wait_table(waits):
    rows = [[c["task_seconds"], c["wait_sleep"], c.get("status", "FAILED" if c["rc"] else "–"), fmt(c.get("execution_seconds")),
             fmt(c.get("interval_s")), fmt(c.get("notice_s")), fmt(c.get("return_s")), c.get("status_reads", "–"),
             fmt(c.get("requests_per_minute"), 1), fmt(c.get("wall"), 1)] for c in waits]
    return table(["task_seconds", "wait_sleep", "status", "execution (s)", "last poll interval (s)",
                  "noticed after end (s)", "returned after end (s)", "status reads", "requests / min", "task wall (s)"], rows)


def targets_table(found):
    rows = []
    for t in found:
        met = {True: "met", False: "**not met**", None: "not measured"}[t["met"]]
        rows.append([t["target"], t["variant"], t["n"] if t["n"] is not None else "–", t["value"] or "–", t["limit"],
                     met + (" (%s)" % t["note"] if t.get("note") else "")])
    return table(["target", "variant", "N", "measured", "limit", "result"], rows)


def percent(part, whole):
    return 100.0 * part / whole if whole else 0.0


def analysis(result):
    summary, status = result["summary"], result["variants"]
    sizes = sorted({r["n"] for r in summary})
    n = sizes[-1]
    floor, lines = find(summary, "floor", n, "floor"), []
    if not floor:
        return ["No floor was measured, so no ratio can be given."]

    def at_largest(variant, phase):
        """(row, floor row at the same N) at the largest N ``variant`` ran for with a floor beside it."""
        rows = [r for r in summary if r["variant"] == variant and r["phase"] == phase and r.get("cpu_ratio") is not None]
        row = max(rows, key=lambda r: r["n"]) if rows else None
        return (row, find(summary, "floor", row["n"], "floor")) if row else (None, None)

    lines.append("- **The floor.** At N = %d an `ansible.builtin.ping` item costs %.3f s of CPU (%.3f s of it in the "
                 "module process, %.3f s in ansible-playbook and its workers): what any module loop pays per item "
                 "before doing anything." % (n, floor["cpu_per_item"], floor["module_cpu_per_item"],
                                             floor["controller_cpu_per_item"]))
    for phase in ("unchanged", "first", "changed"):
        row, base = at_largest("loop", phase)
        if not row:
            continue
        extra = row["cpu_per_item"] - base["cpu_per_item"]
        mod_extra = row["module_cpu_per_item"] - base["module_cpu_per_item"]
        ctl_extra = row["controller_cpu_per_item"] - base["controller_cpu_per_item"]
        lines.append(
            "- **Per-item loop, %s run** (N = %d). %.3f s per item, %.2f× the floor: the floor is %.0f%% of it; the %.3f s "
            "above the floor are %.3f s in the module process (importing module_utils and requests, the "
            "client, the HTTP round trips: %.1f requests per object) and %.3f s in the controller (more options to template, bigger "
            "results). %s dominates." % (
                phase, row["n"], row["cpu_per_item"], row["cpu_ratio"], percent(base["cpu_per_item"], row["cpu_per_item"]),
                extra, mod_extra, row["requests"]["total"] / float(row["objects"]), ctl_extra,
                "Ansible's own per-item cost (the floor)" if base["cpu_per_item"] >= max(mod_extra, ctl_extra)
                else ("the module process" if mod_extra >= ctl_extra else "the controller")))
    costs = {s["step"].split(" ")[0]: s["added"] for s in result.get("imports") or [] if "added" in s}
    own = [costs[m] for m in ("harbor_registry", "harbor_project", "harbor_replication_rule") if m in costs]
    if own:                             # what the loop's module processes load, not every file of module_utils
        costs["module_utils"] = sum(own) / len(own)
    row, base = at_largest("loop", "unchanged")
    if row and "requests" in costs and "module_utils" in costs:
        mod_extra = row["module_cpu_per_item"] - base["module_cpu_per_item"]
        rest = mod_extra - costs["requests"] - costs["module_utils"]
        lines.append(
            "- **Inside the module process** (unchanged loop, %.3f s per item above ping's): importing `requests` costs "
            "%.3f s and the collection's module_utils %.3f s (measured apart, see Imports%s; the standard library's "
            "`http.client` and `ssl` alone would cost %s s), %s" % (
                mod_extra, costs["requests"], costs["module_utils"],
                "; the mean of the three resource modules' own imports" if own else "", fmt(costs.get("http.client"), 3),
                "which leaves about %.3f s for the module's own work and its %.1f HTTP requests per object." % (
                    rest, row["requests"]["total"] / float(row["objects"])) if rest > 0 else
                "as much as the whole difference: the imports are what the module process adds, and its own work and "
                "%.1f HTTP requests per object are within the noise." % (row["requests"]["total"] / float(row["objects"]))))
    row, base = at_largest("list", "unchanged")
    first, _ = at_largest("list", "first")
    if row:
        support = result["detected"]["list_options"]
        lists = [k for k in ("endpoints", "projects", "rules") if support.get(k)]
        loops = [k for k in ("endpoints", "projects", "rules") if not support.get(k)]
        lines.append("- **List calls** (%s%s). At N = %d an unchanged converge of %d objects takes %.2f× the floor's CPU "
                     "for the same number of items (%.1f s against %.1f s)%s, with %d module processes instead of %d." % (
                         "lists for " + ", ".join(lists), "; still loops for " + ", ".join(loops) if loops else "",
                         row["n"], row["objects"], row["cpu_ratio"], row["cpu"], base["cpu"],
                         "; the first converge %.2f×" % first["cpu_ratio"] if first else "",
                         row["module_calls"], base["items"]))
    else:
        lines.append("- **List calls.** Not measured: %s. Once a module takes a list, the same command measures it "
                     "without change." % (status.get("list") or "no list run"))
    row, base = at_largest("roles", "unchanged")
    first, _ = at_largest("roles", "first")
    if row:
        lines.append("- **Roles** (proxy_cache + replication, list calls). At N = %d an unchanged converge of %d objects "
                     "takes %.2f× the floor's CPU for the same number of items (%.1f s; %.1f s of it in %d module "
                     "processes, the rest the roles' own resolution and templating on the controller)%s." % (
                         row["n"], row["objects"], row["cpu_ratio"], row["cpu"], row["module_cpu"], row["module_calls"],
                         "; the first converge %.2f×" % first["cpu_ratio"] if first else ""))
    elif status.get("roles"):
        lines.append("- **Roles.** Not measured: %s." % status["roles"])
    row, base = at_largest("uri", "unchanged")
    first = row and find(summary, "uri", row["n"], "first")
    if row and first and first.get("cpu_ratio") is not None:
        lines.append("- **Naive `uri` playbook** (N = %d). %.2f× the floor when unchanged and %.2f× on the first converge: "
                     "%.1f module processes per object on the first run (a GET, an id lookup, a POST), %.1f when "
                     "unchanged; it compares fewer fields than the modules (no quota, no endpoint type), so it does "
                     "less, not the same, per object." % (
                         row["n"], row["cpu_ratio"], first["cpu_ratio"], first["module_calls"] / float(first["objects"]),
                         row["module_calls"] / float(row["objects"])))
    row, base = at_largest("peer", "unchanged")
    first = row and find(summary, "peer", row["n"], "first")
    if row and row["ok"]:
        lines.append("- **Peer (%s).** %.2f× the floor per item when unchanged (endpoints and projects only; it has "
                     "no rule module); %d writes and changed=%s on the unchanged re-run." % (
                         result["detected"].get("peer"), row["cpu_ratio"], row["requests"]["writes"], row["changed"][-1]))
    elif row:
        failed = [r for r in result["runs"] if r["variant"] == "peer" and r["n"] == row["n"] and r["rc"] != 0]
        lines.append("- **Peer (%s).** %s; its re-runs failed (%s), so only its first converge compares: %s× the "
                     "floor per item (endpoints and projects only; it has no rule module)." % (
                         result["detected"].get("peer"), "First converge %s" % ("ok" if first and first["ok"] else "failed"),
                         first_error(failed[0].get("error")) if failed else "see Failed runs",
                         fmt(first.get("cpu_ratio") if first else None)))
    elif status.get("peer"):
        lines.append("- **Peer.** Not measured: %s (`--peer PATH` to a collections folder with swisstxt.harbor)."
                     % status["peer"])
    loop_rows = [r for r in summary if r["variant"] == "loop" and r["phase"] == "first"]
    if len(loop_rows) >= 2:
        lines.append("- **Memory.** A module process of the per-item loop peaks at %s MiB for N = %s: one object per "
                     "process, so it cannot grow with N." % (
                         " / ".join("%.1f" % (r["module_maxrss_kb"] / 1024.0) for r in loop_rows),
                         " / ".join(str(r["n"]) for r in loop_rows)))
    for variant in ("list", "roles"):
        rows = [r for r in summary if r["variant"] == variant and r["phase"] == "first"]
        if rows:
            lines.append("- **Memory of %s.** The largest module process (one call holds every object of a kind) peaks "
                         "at %s MiB for N = %s." % (
                             "list calls" if variant == "list" else "the roles' list calls",
                             " / ".join("%.1f" % (r["module_maxrss_kb"] / 1024.0) for r in rows),
                             " / ".join(str(r["n"]) for r in rows)))
    for case in result["execution_wait"]:
        if case.get("notice_s") is not None:
            lines.append("- **Execution wait** (tasks of %s s, `wait_sleep: %s`): the end was seen %.2f s after it "
                         "happened (last poll interval %s s) and the task returned %.2f s after it; %s requests per "
                         "minute of waiting." % (case["task_seconds"], case["wait_sleep"], case["notice_s"],
                                                 fmt(case.get("interval_s")), case["return_s"],
                                                 fmt(case.get("requests_per_minute"), 1)))
    return lines


def first_error(text):
    """The first error line of a failed run's output (Ansible's ``[ERROR]:`` or ``fatal:``/``failed:``)."""
    for line in (text or "").splitlines():
        if line.startswith(("[ERROR]", "ERROR!")):
            return "`%s`" % line.strip()[:300]
        found = re.search(r'"msg": "((?:[^"\\]|\\.)*)"', line) if line.startswith(("fatal:", "failed:")) else None
        if found:
            return "`%s`" % found.group(1)[:300]
    return "see the JSON result"


def loop_sizes_note(meta):
    """A sentence when the per-item variants ran for fewer sizes than the others (``--loop-sizes``,
    ``--compare-sizes``), else ''."""
    loops, compare = meta.get("loop_sizes") or meta["sizes"], meta.get("compare_sizes") or meta.get("loop_sizes") or meta["sizes"]
    if loops == meta["sizes"] and compare == meta["sizes"]:
        return ""
    comparisons = meta.get("comparisons") or ()
    per_item = [v for v in meta.get("per_item_variants") or () if v not in comparisons]
    if loops == compare:
        return (" The per-item variants (%s) ran for N = %s only (`--loop-sizes`); the floor, list and roles variants for "
                "every N." % (", ".join(meta.get("per_item_variants") or ()), ", ".join(str(x) for x in loops)))
    return (" The per-item %s ran for N = %s (`--loop-sizes`), the comparisons (%s) for N = %s (`--compare-sizes`); the "
            "floor, list and roles variants for every N." % (
                ", ".join(per_item) or "loop", ", ".join(str(x) for x in loops), ", ".join(comparisons),
                ", ".join(str(x) for x in compare)))


def markdown(result):
    meta, summary = result["meta"], result["summary"]
    sizes = sorted({r["n"] for r in summary})
    start, end = meta["machine_start"], meta["machine_end"]
    skipped = [(v, reason) for v, reason in result["variants"].items() if reason]
    parts = [
        "# Performance",
        "",
        "<!-- GENERATED by `python -m tests.benchmark` (tests/benchmark/); do not edit by hand: run the command again. -->",
        "",
        "Generated by `%s` on %s (%.0f s). What is measured and how: [developing.md](developing.md#benchmark). "
        "Numbers are medians of %d interleaved repetition(s); never asserted by tests." % (
            meta["command"].strip(), meta["started"], meta["seconds"], meta["repeat"]),
        "",
        "**Machine.** %s CPUs, Python %s, ansible-core %s, %s; load average %s at the start and %s at the end. %s" % (
            start["cpus"], start["python"], start["ansible_core"], start["platform"],
            " / ".join(str(x) for x in start["loadavg"]), " / ".join(str(x) for x in end["loadavg"]), meta["note"]),
        "",
        "**Workload.** For each N: N registry endpoints, N projects (half of them proxy caches of an endpoint, the others "
        "private with a quota) and N push replication rules, converged three times on a fresh emulated Harbor: *first* "
        "(everything created), *unchanged* (the same again) and *changed* (10% of each kind changed: an endpoint's "
        "certificate verification, a project's access level, a rule's description). The *floor* runs the same loops "
        "(3 N items) with `ansible.builtin.ping`. CPU is user + system time of ansible-playbook and every process it "
        "started; \"module\" is the module processes' own share." + loop_sizes_note(meta),
        "",
        "## Targets (issues 11 and 21)",
        "",
        targets_table(result["targets"]),
        "",
        "## What dominates",
        "",
    ] + analysis(result) + [
        "",
        "## CPU per item (s), ratio to the floor",
        "",
        cpu_table(summary, sizes),
        "",
        "## Wall and CPU time per run",
        "",
        wall_table(summary, sizes),
        "",
        "## Harbor requests",
        "",
        "From the emulator's request log, cleared before each run. `calls` = module processes that ran.",
        "",
        requests_table(summary, sizes),
        "",
        "Unchanged re-run by path, at the largest N each variant ran for:",
        "",
        kinds_table(summary),
        "",
        "## Memory",
        "",
        "Peak resident memory of the largest module process, and of the largest process of the run (ansible-playbook "
        "itself, usually).",
        "",
        memory_table(summary, sizes),
        "",
    ] + ([
        "The list calls again (`--memory-python`, tests/benchmark/memory.py), the largest module process per module "
        "interpreter: the collection holds little per object; ansible-core's `exit_json` copies the result (no_log "
        "scan) and encodes it, and Python 3.11's JSON encoder holds several times the result while it works, where "
        "3.12's writes into one buffer (`python -m tests.benchmark.memory --trace` shows result sizes and Python's "
        "peak allocations).",
        "",
        memory_python_table(result["memory_by_python"]),
        "",
    ] if result.get("memory_by_python") else []) + [
        "## Imports",
        "",
        "CPU of a fresh interpreter importing each step in addition to the previous one (median of %s interleaved runs;"
        " the collection's module_utils from a zip, compiled at each start as in an AnsiballZ process; "
        "tests/benchmark/imports.py). The rows named after a module are what that module's process imports of the "
        "collection (its module_utils and theirs, no `query`), added to `requests` and timed inside the "
        "process; the standard library's `http.client` and `ssl` alone are timed the same way on top of `basic`, for "
        "comparison."
        % meta.get("import_repeat", 5),
        "",
        table(["step", "CPU (s)", "added (s)"],
              [[s["step"], fmt(s.get("cpu"), 3), fmt(s.get("added"), 3)] for s in result.get("imports")])
        if result.get("imports") else "Not measured (`--import-repeat 0`).",
        "",
        "## Execution wait",
        "",
        "`harbor_replication_execution` with `force: true` on a rule whose tasks take `task_seconds` "
        "(the emulator's `POST /_emulator/replication` control). Request times are read from the request log every "
        "50 ms.",
        "",
        wait_table(result["execution_wait"]) if result["execution_wait"] else "Not measured (`--wait-cases none`).",
        "",
    ]
    failed = [r for r in result["runs"] if r["rc"] != 0] + [c for c in result["execution_wait"] if c["rc"] != 0]
    if failed:
        parts += ["## Failed runs", ""] + ["- %s: %s" % (
            "%s N = %s %s" % (r["variant"], r["n"], r["phase"]) if "variant" in r else
            "execution wait %s:%s" % (r["task_seconds"], r["wait_sleep"]), first_error(r.get("error"))) for r in failed] + [""]
    if skipped:
        parts += ["## Not measured", ""] + ["- `%s`: %s" % (v, reason) for v, reason in skipped] + [""]
    return hide("\n".join(parts))       # no path of the machine (--peer, --memory-python, --json...) in the report


def main(path):
    """Summary, targets and report again from the raw runs of a saved result."""
    saved = json.loads(open(path).read())
    return markdown(analyse(saved["meta"], saved["variants"], saved["detected"], saved["runs"], saved["execution_wait"],
                            saved.get("imports") or []))


if __name__ == "__main__":
    sys.stdout.write(main(sys.argv[1]))
