"""Values at paths in nested options: ``set_path(args, "rules[1].filters.tag", value)``, for the bad-input sweep
(tests/reliability/test_sweep.py) and the roles' filter tests (tests/unit/test_role_filters.py)."""
import json
import re


def set_path(args, path, value):
    """``args`` (a copy) with ``value`` at ``path`` (``rules[1].filters.tag``)."""
    args = json.loads(json.dumps(args))
    target, parts = args, re.findall(r"([^.\[\]]+)|\[(\d+)\]", path)
    keys = [int(index) if index else key for key, index in parts]
    for key in keys[:-1]:
        if isinstance(target, dict) and not isinstance(target.get(key), (dict, list)):
            target[key] = {}            # a dict option not in the base call (filters, dest_project)
        target = target[key]
    target[keys[-1]] = value
    return args
