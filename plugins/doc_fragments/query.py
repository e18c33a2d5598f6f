# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # The query option of every _info module; kept in step with plugins/module_utils/specs.py (QUERY_SPEC).
    DOCUMENTATION = r'''
options:
  query:
    description:
      - A JMESPath expression applied to the module's list (the one RETURN describes, in its order) before it is
        returned in its place, for example V([?name=='x'].id). The module's EXAMPLES show queries for its own fields.
      - Needs the Python library C(jmespath).
    type: str
'''
