"""reconcile() and the Resource contract, with an in-memory resource (no HTTP: this layer only calls the hooks).

``Widgets`` keeps its objects in a dict and records every read and write, so each test can say exactly what
reconcile asked of a resource: check mode writes nothing and predicts ``after``, a diff is humanized and never shows a
secret, every element is validated before any read or write, a failure midway reports what was done, and the
hooks get the ``Plan`` that ``desired`` made (the resource keeps no per-item state).
"""
import json
import sys

import pytest

from tests.support.ansible import collections_root

sys.path.insert(0, str(collections_root()))

from ansible_collections.registryops.harbor.plugins.module_utils.errors import (  # noqa: E402
    HarborError, HarborPartialError, HarborRefused, HarborValidationError, element_message,
)
from ansible_collections.registryops.harbor.plugins.module_utils.module import CallCache, HarborModule  # noqa: E402
from ansible_collections.registryops.harbor.plugins.module_utils.reconcile import OMIT, Plan, Resource, reconcile, run, single, to_yaml  # noqa: E402

pytestmark = pytest.mark.core_matrix        # cheap: the contract also holds on ansible-core 2.16
TOKEN = "t0ken-never-shown"


class Module:
    """What a Resource uses of HarborModule: check/diff mode, params, warn, the call's caches."""

    def __init__(self, check_mode=False, diff=False, params=None):
        self.check_mode = check_mode
        self._diff = diff
        self.params = params or {}
        self.warnings = []
        self.cache = CallCache()

    def warn(self, text):
        self.warnings.append(text)


class Store:
    """An in-memory Harbor for one object kind: ``objects`` by name, every read and write recorded."""

    def __init__(self, **objects):
        self.objects = dict((name, dict(raw, name=name)) for name, raw in objects.items())
        self.reads = []
        self.writes = []
        self.failures = {}          # (method, name) -> function() that raises (and may change the store first)

    def write(self, method, name, change):
        self.writes.append((method, name))
        if (method, name) in self.failures:
            self.failures[(method, name)]()
        change()


def parse_size(value):
    """``"3k"`` -> 3072, ``5`` -> 5 (the unit rule of a real resource, in small)."""
    text = str(value).strip().lower()
    return int(text[:-1]) * 1024 if text.endswith("k") else int(text)


class Widgets(Resource):
    kind = "widget"
    result_key = "widget"
    options = ("size", "color", "token")
    secret_options = ("token",)
    control_options = ("rotate",)
    normalizers = dict(size=parse_size, color="_color")

    def __init__(self, module, store):
        super(Widgets, self).__init__(module)
        self.store = store
        self.deletes_validated = []

    def _color(self, value):
        return OMIT if value == "" else str(value).lower()

    def check_key(self, name):
        if not name or name != name.strip():
            raise HarborValidationError("name: %r is not a widget name" % (name,))

    def validate(self, item, options):
        if options.get("size", 0) < 0:
            raise HarborValidationError("size: must be 0 or more, got %d" % options["size"])

    def validate_delete(self, item):
        self.deletes_validated.append(item["name"])

    def read(self, names, wanted):
        self.store.reads.append(list(names))
        return dict((n, dict(self.store.objects[n])) for n in names if n in self.store.objects)

    def to_options(self, raw):
        return dict(name=raw["name"], size=raw["size"], color=raw["color"])

    def desired(self, item, options, raw):
        return Plan(options, token=options.get("token"), created=raw is None)

    def must_write(self, item, plan, raw):
        return bool(item.get("rotate") and plan.token)

    def predict(self, item, plan, before):
        after, keys = super(Widgets, self).predict(item, plan, before)
        if plan.token:
            keys["token_sent"] = True
        return after, keys

    def create(self, item, plan):
        raw = dict(name=item["name"], size=plan.options.get("size", 1), color=plan.options.get("color", "grey"), token=plan.token)
        self.store.write("POST", item["name"], lambda: self.store.objects.__setitem__(item["name"], raw))
        plan.report["token_sent"] = bool(plan.token)

    def update(self, item, plan, raw, changed):
        new = dict(raw, **dict((k, plan.options[k]) for k in changed))
        self.store.write("PUT", item["name"], lambda: self.store.objects.__setitem__(item["name"], new))
        if plan.token:
            plan.report["token_sent"] = True
        return new

    def delete(self, item, plan, raw):
        self.store.write("DELETE", item["name"], lambda: self.store.objects.pop(item["name"]))

    def humanize(self, options):
        if isinstance(options.get("size"), int):
            options["size"] = "%d KiB" % (options["size"] // 1024) if options["size"] % 1024 == 0 else "%d B" % options["size"]
        return options


def item(name, **options):
    return dict(dict(name=name, state="present"), **options)


def widgets(check_mode=False, diff=False, **objects):
    store = Store(**objects)
    return Widgets(Module(check_mode=check_mode, diff=diff), store), store


# -- check mode, diff, redaction ------------------------------------------------------------------------------------
def test_check_mode_writes_nothing_and_predicts_the_new_object():
    resource, store = widgets(check_mode=True)
    result = single(resource, item("a", size="3k", color="Red", token=TOKEN))
    assert result["changed"] is True
    assert store.writes == [] and store.objects == {}
    assert result["before"] is None
    assert result["after"] == dict(size=3072, color="red")
    assert result["token_sent"] is True         # what the real run would report, from predict()
    assert result["widget"] is None


def test_check_mode_predicts_an_update_on_top_of_the_current_object():
    resource, store = widgets(check_mode=True, a=dict(size=5, color="blue"))
    result = single(resource, item("a", size=7))
    assert result["changed"] is True and store.writes == []
    assert result["before"] == dict(name="a", size=5, color="blue")
    assert result["after"] == dict(name="a", size=7, color="blue")
    assert store.objects["a"]["size"] == 5


def test_the_real_run_reports_what_the_writes_did():
    resource, store = widgets()
    result = single(resource, item("a", size=2048, token=TOKEN))
    assert store.writes == [("POST", "a")]
    assert result["after"] == dict(name="a", size=2048, color="grey")     # read back, server default included
    assert result["token_sent"] is True                                    # plan.report, filled by create()


def test_the_diff_is_humanized_and_never_shows_a_secret():
    resource, store = widgets(diff=True, a=dict(size=1024, color="blue"))
    result = single(resource, item("a", size="2k", token=TOKEN, rotate=True))
    assert result["diff"] == dict(before=dict(name="a", size="1 KiB", color="blue"), after=dict(name="a", size="2 KiB", color="blue"))
    assert result["before"]["size"] == 1024 and result["after"]["size"] == 2048     # the result keeps numbers
    assert TOKEN not in json.dumps(result)


def test_a_secret_option_is_never_compared_nor_shown_even_in_a_check_mode_prediction():
    resource, store = widgets(check_mode=True, diff=True)
    result = single(resource, item("a", size=1, token=TOKEN))
    assert "token" not in result["after"] and "token" not in result["diff"]["after"]
    assert TOKEN not in json.dumps(result)
    resource, store = widgets(a=dict(size=1, color="grey", token="old"))
    result = single(resource, item("a", size=1, token=TOKEN))
    assert result["changed"] is False and store.writes == []     # a write-only secret is no reason to write...
    result = single(resource, item("a", size=1, token=TOKEN, rotate=True))
    assert result["changed"] is True and store.writes == [("PUT", "a")]     # ...unless must_write says so


def test_an_unchanged_object_reads_once_and_writes_nothing():
    resource, store = widgets(a=dict(size=5, color="blue"))
    result = single(resource, item("a", size=5, color="BLUE"))     # normalised before the comparison
    assert result["changed"] is False and store.writes == [] and store.reads == [["a"]]
    assert result["before"] == result["after"]


def test_an_unchanged_result_holds_one_options_dict_for_before_and_after():
    """Memory (issue 11): a list call keeps every element's result to the end, and exit_json copies and encodes them."""
    resource, store = widgets(diff=True, a=dict(size=5, color="blue"), b=dict(size=1, color="red"))
    results = reconcile(resource, [item("a", size=5), item("b", size=2)], label="widgets")
    assert [r["changed"] for r in results] == [False, True]
    assert results[0]["after"] is results[0]["before"] and results[0]["diff"]["after"] is results[0]["diff"]["before"]
    assert results[0]["diff"]["after"] == dict(name="a", size="5 B", color="blue")
    assert results[1]["after"] is not results[1]["before"] and (results[1]["before"]["size"], results[1]["after"]["size"]) == (1, 2)
    assert (results[1]["diff"]["before"]["size"], results[1]["diff"]["after"]["size"]) == ("1 B", "2 B")


# -- normalisers and the absent guard -------------------------------------------------------------------------------
def test_normalizers_apply_per_option_and_omit_drops_the_option():
    resource, store = widgets()
    assert resource.normalize(item("a", size="2k", color="", token=None, rotate=True)) == dict(size=2048)
    assert resource.normalize(item("a", color="GREEN")) == dict(color="green")     # a method named by a string


def test_an_absent_item_checks_only_its_key():
    resource, store = widgets(a=dict(size=1, color="grey"))
    result = single(resource, item("a", state="absent", size=-5))      # size is not validated for a delete
    assert result["changed"] is True and result["after"] is None and store.writes == [("DELETE", "a")]
    assert resource.deletes_validated == ["a"]
    with pytest.raises(HarborValidationError, match="^name: ' a' is not a widget name"):
        single(resource, item(" a", state="absent"))


@pytest.mark.parametrize("attempts, changed", [(1, False), (2, True)])
def test_a_delete_answered_404_is_done(attempts, changed):
    resource, store = widgets(a=dict(size=1, color="grey"))
    store.failures[("DELETE", "a")] = lambda: _raise(HarborError("not found", status=404, attempts=attempts))
    result = single(resource, item("a", state="absent"))
    assert result["changed"] is changed     # changed only when this run's own retried DELETE did it


def test_a_create_answered_409_reconciles_with_what_the_other_run_made():
    resource, store = widgets()

    def other_run_created_it():
        store.objects["a"] = dict(name="a", size=9, color="grey")
        raise HarborError("already exists", status=409)
    store.failures[("POST", "a")] = other_run_created_it
    result = single(resource, item("a", size=4))
    assert store.writes == [("POST", "a"), ("PUT", "a")]
    assert result["changed"] is True and result["after"]["size"] == 4


# -- lists: validation first, duplicates, partial results -----------------------------------------------------------
def test_every_element_is_validated_before_any_read_or_write():
    resource, store = widgets()
    with pytest.raises(HarborValidationError) as caught:
        reconcile(resource, [item("a", size=1), item("b", size=2), item("c", size=-1)], label="widgets")
    assert element_message(caught.value) == "widgets[2].size: must be 0 or more, got -1"
    assert store.reads == [] and store.writes == []


def test_a_name_given_twice_is_refused_before_any_read():
    resource, store = widgets()
    with pytest.raises(HarborValidationError) as caught:
        reconcile(resource, [item("a"), item("b"), item("a", state="absent")], label="widgets")
    assert element_message(caught.value) == "widgets[2].name: 'a' is also element 0 of widgets; each widget may appear once"
    assert store.reads == [] and store.writes == []


def test_a_failure_midway_carries_the_results_done_and_changed():
    resource, store = widgets(b=dict(size=1, color="grey"))
    store.failures[("PUT", "b")] = lambda: _raise(HarborError("internal error", status=500, method="PUT", path="/widgets/b"))
    items = [item("a", size=1), item("b", size=2), item("c", size=3)]
    with pytest.raises(HarborPartialError) as caught:
        reconcile(resource, items, label="widgets")
    error = caught.value
    assert [(r["name"], r["changed"]) for r in error.result["results"]] == [("a", True)]
    assert str(error).startswith("widgets[1] (name b): PUT /widgets/b failed with HTTP 500")
    assert str(error).endswith(" Done before this error: a (changed). Not attempted: c.")
    assert isinstance(error.cause, HarborError) and error.changed is None
    assert store.writes == [("POST", "a"), ("PUT", "b")]       # c was never attempted


def test_without_a_list_the_error_itself_is_raised():
    resource, store = widgets()
    store.failures[("POST", "a")] = lambda: _raise(HarborRefused("widget a is in use", cause=HarborError("in use", status=412)))
    with pytest.raises(HarborRefused) as caught:
        single(resource, item("a"))
    assert caught.value.status == 412 and caught.value.harbor_message == "in use"


def test_run_takes_the_list_option_or_the_single_object():
    resource, store = widgets()
    resource.module.params = dict(name=None, widgets=[item("a", size=1), item("b", size=2)])
    result = run(resource, "widgets")
    assert result["changed"] is True and [r["name"] for r in result["results"]] == ["a", "b"]
    resource.module.params = item("a", size=1, widgets=None)
    assert run(resource, "widgets")["changed"] is False


# -- stateless hooks ------------------------------------------------------------------------------------------------
def test_the_hooks_get_the_plan_of_desired_and_the_resource_keeps_no_item_state():
    resource, store = widgets(b=dict(size=1, color="grey"))
    seen = []
    for hook in ("must_write", "predict", "create", "update", "extra"):
        original = getattr(resource, hook)
        setattr(resource, hook, lambda *args, _original=original, _hook=hook: (seen.append((_hook, args[0]["name"], args[1])),
                                                                               _original(*args))[1])
    reconcile(resource, [item("a", size=1, token=TOKEN), item("b", size=2)], label="widgets")
    plans = dict((name, plan) for _hook, name, plan in seen)
    assert all(isinstance(plan, Plan) for plan in plans.values())
    assert all(plan is plans[name] for _hook, name, plan in seen)           # one plan per item, kept by reconcile
    assert plans["a"].created and plans["a"].token == TOKEN and not plans["b"].created
    assert TOKEN not in repr(plans["a"])
    assert set(vars(resource)) - {"must_write", "predict", "create", "update", "extra"} == {"module", "store", "deletes_validated"}


# -- the error edge: HarborModule.run ------------------------------------------------------------------------------
class Exited(Exception):
    pass


class Edge:
    """HarborModule.run's view of the module: exit_json/fail_json (which never return) and the client's write count."""

    def __init__(self, writes):
        self._client = type("Client", (), dict(writes=writes))()
        self.cache = CallCache()
        self.failed = None

    def fail_json(self, **kwargs):
        self.failed = kwargs
        raise Exited()

    def exit_json(self, **kwargs):
        self.exited = dict(result=kwargs, caches=dict(self.cache._values))
        raise Exited()

    _wrote = HarborModule._wrote


@pytest.mark.parametrize("error, expected", [
    (HarborValidationError("size: must be 0 or more"), dict(msg="size: must be 0 or more", changed=False)),
    (HarborRefused("widget a is in use", cause=HarborError("in use", status=412)), dict(msg="widget a is in use", changed=False)),
    (HarborPartialError("widgets[1] (name b): failed. Done before this error: a (changed).", result=dict(results=[dict(name="a")])),
     dict(msg="widgets[1] (name b): failed. Done before this error: a (changed).", changed=True, results=[dict(name="a")])),
    (HarborPartialError("execution 7 did not finish", result=dict(execution=dict(id=7)), changed=False),
     dict(msg="execution 7 did not finish", changed=False, execution=dict(id=7))),
])
def test_the_error_edge_turns_each_error_kind_into_one_failure(error, expected):
    edge = Edge(writes=0 if expected["changed"] is False else 1)
    with pytest.raises(Exited):
        HarborModule.run(edge, lambda: _raise(error))
    assert edge.failed == expected


def test_an_http_error_and_a_partial_error_from_one_report_harbors_details():
    edge = Edge(writes=1)
    cause = HarborError("boom", status=500, method="PUT", path="/registries/1")
    with pytest.raises(Exited):
        HarborModule.run(edge, lambda: _raise(HarborPartialError("stopped", result=dict(results=[]), cause=cause)))
    assert edge.failed["error"] == cause.to_dict() and edge.failed["changed"] is True
    with pytest.raises(Exited):
        HarborModule.run(edge, lambda: _raise(cause))
    assert edge.failed == dict(msg=str(cause), changed=True, error=cause.to_dict())


def test_the_per_call_caches_are_dropped_before_the_result_goes_out():
    edge = Edge(writes=0)
    listing = edge.cache.get("endpoints", lambda: [dict(name="ep-%d" % i) for i in range(3)])   # as Endpoints.of(module)
    assert edge.cache.get("endpoints", lambda: []) is listing                                 # made once per call
    with pytest.raises(Exited):
        HarborModule.run(edge, lambda: dict(changed=False, results=[]))
    assert edge.exited == dict(result=dict(changed=False, results=[]), caches={})
    assert edge._client is not None         # the client stays: only the call's caches go


def _raise(exc):
    raise exc


# -- the options of a failed recreate, as YAML to paste -------------------------------------------------------------
def test_to_yaml_is_yaml_a_user_can_paste_back():
    import yaml
    options = dict(name="nvidiaio", public=True, storage_quota=-1, severity="high", proxy_cache_registry="Ünïcode: yes",
                   metadata=dict(b="2", a=None), tags=["x", "y: z"], description="")
    text = to_yaml(options)
    assert yaml.safe_load(text) == options
    assert text.splitlines()[0] == "description: ''" and "Ünïcode" in text        # keys sorted, text as written
    assert to_yaml({}) == "{}"
