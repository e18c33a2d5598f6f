# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # Attributes of a module that changes Harbor objects.
    DOCUMENTATION = r'''
attributes:
  check_mode:
    description: Can run in check mode and return the changed status prediction without modifying Harbor.
    support: full
  diff_mode:
    description: Will return details on what has changed (or would change) in diff mode, secrets left out.
    support: full
  action_group:
    description: Use C(group/registryops.harbor.harbor) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - registryops.harbor.harbor
'''

    # Attributes of an _info module (reads only).
    INFO = r'''
attributes:
  check_mode:
    description: Reads only; runs the same in check mode.
    support: full
    details: This module does not change anything.
  diff_mode:
    description: Returns no diff; it changes nothing.
    support: none
  action_group:
    description: Use C(group/registryops.harbor.harbor) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - registryops.harbor.harbor
'''
