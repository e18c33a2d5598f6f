# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only callback: writes every task result, with its host, as one JSON line to $RECORD_FILE (after Ansible's no_log
censoring). Used by the integration tests and the reliability suites."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r'''
name: record
type: aggregate
short_description: write task results to a JSON-lines file for the integration tests and reliability suites
description: Writes each task's result, as Ansible censored it, with its host, to the file named by E(RECORD_FILE).
requirements: [enable in configuration]
'''


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "record"
    CALLBACK_NEEDS_ENABLED = True

    def _write(self, result, status):
        path = os.environ.get("RECORD_FILE")
        if not path:
            return
        data = dict(result._result)
        data.setdefault("changed", False)
        data.update(task=result._task.get_name(), host=result._host.get_name(), status=status, failed=status == "failed")
        with open(path, "a") as handle:
            handle.write(json.dumps(data, default=str) + "\n")

    def v2_runner_on_ok(self, result):
        self._write(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._write(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._write(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._write(result, "failed")
