"""Runs the cases against two Harbors and builds the report (``run_all``), with the registries the cases need
(``Environment``: real ``docker-registry`` processes of tools/dataplane on 127.0.0.1, which a Harbor on the same
machine reaches)."""
import contextlib
import traceback

from tools.dataplane.distribution import DistributionClient
from tools.dataplane.oci import image
from tools.dataplane.registry import Registry, missing_binaries
from tests.support.harbor import closed_port_url

from .cases import UPSTREAM_REPOSITORY, UPSTREAM_TAG, all_cases
from .core import Run, compare_runs, text_report


class Environment:
    """The registries of the cases, started on first need and closed by ``close()``."""

    def __init__(self):
        self.closed_url = closed_port_url()
        self._upstream = None
        self._destinations = {}

    @staticmethod
    def missing(needs):
        """Why the cases with ``needs`` cannot run here (None when they can)."""
        if needs and missing_binaries():
            return "needs %s (tools/dataplane)" % ", ".join(missing_binaries())
        return None

    @property
    def upstream(self):
        if self._upstream is None:
            self._upstream = Registry(name="differential-upstream").start()
            DistributionClient(self._upstream.url).push(UPSTREAM_REPOSITORY, UPSTREAM_TAG, image(UPSTREAM_REPOSITORY, UPSTREAM_TAG))
        return self._upstream

    def destination(self, side):
        """An empty registry for ``side`` alone (its push replications land there)."""
        if side not in self._destinations:
            self._destinations[side] = Registry(name="differential-destination-%s" % side).start()
        return self._destinations[side]

    @contextlib.contextmanager
    def destination_down(self, side):
        """The destination of ``side`` stopped (its port kept) for the block: replications to it fail."""
        registry = self.destination(side)
        registry.stop()
        try:
            yield
        finally:
            registry.start()

    def destination_content(self, side, namespace):
        """``["<repository>:<tag>", ...]`` under ``namespace/`` in the destination of ``side``."""
        client = DistributionClient(self.destination(side).url)
        found = []
        for repository in client.catalog():
            if repository.startswith(namespace + "/"):
                found.extend("%s:%s" % (repository, tag) for tag in sorted(client.tags(repository) or []))
        return sorted(found)

    def aliases(self):
        return [(self._upstream.url, "<upstream>")] if self._upstream is not None else []

    def close(self):
        for registry in [self._upstream] + list(self._destinations.values()):
            if registry is not None:
                registry.close()


def run_case(side, name, fn, env):
    """One case on one side, its objects swept before and after: ``(Run, error or None)``."""
    run = Run(side, name)
    for url, placeholder in env.aliases():
        run.alias(url, placeholder)
    error = None
    try:
        side.sweep()
        fn(run, env)
    except Exception as exc:            # a case that breaks is reported, the others still run
        error = "%s: %s" % (type(exc).__name__, exc)
        run.notes.append("%s: %s" % (side.label, traceback.format_exc(limit=3).strip().splitlines()[-1]))
    finally:
        try:
            side.sweep()
        except Exception as exc:
            error = (error + "; " if error else "") + "sweep: %s" % exc
    return run, error


def run_all(side_a, side_b, patterns=(), progress=None):
    """Every case (or those matching ``patterns``) on both sides: the report as a dict (see ``text_report``)."""
    env = Environment()
    cases = []
    try:
        for name, fn, needs in all_cases(patterns):
            if progress:
                progress(name)
            skipped = env.missing(needs)
            if skipped:
                cases.append({"name": name, "skipped": skipped, "steps": 0, "differences": [], "errors": {}, "notes": []})
                continue
            if "upstream" in needs:
                env.upstream          # started before the runs, so both sides alias its URL
            run_a, error_a = run_case(side_a, name, fn, env)
            run_b, error_b = run_case(side_b, name, fn, env)
            errors = {label: e for label, e in (("a", error_a), ("b", error_b)) if e}
            cases.append({"name": name, "steps": max(len(run_a.steps), len(run_b.steps)),
                          "differences": compare_runs(run_a, run_b), "errors": errors,
                          "error": "; ".join("%s: %s" % item for item in sorted(errors.items())) or None,
                          "notes": run_a.notes + run_b.notes,
                          "observations": {"a": run_a.steps, "b": run_b.steps}})
    finally:
        env.close()
    differences = sum(len(c["differences"]) for c in cases)
    return {
        "a": side_a.info(), "b": side_b.info(), "cases": cases,
        "summary": {"cases": len(cases), "steps": sum(c["steps"] for c in cases), "differences": differences,
                    "cases_with_differences": sum(1 for c in cases if c["differences"]),
                    "errors": sum(1 for c in cases if c.get("error")), "skipped": sum(1 for c in cases if c.get("skipped"))},
    }


__all__ = ["Environment", "run_all", "text_report"]
