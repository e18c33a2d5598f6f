"""Replication internals (mirrors src/controller/replication/flow, src/pkg/reg/filter and src/pkg/reg/adapter):
``filter`` (doublestar patterns and the policy filters), ``adapter`` (the two ends of a copy) and ``flow`` (executions,
tasks and the background runner). The HTTP side is ``handler/replication.py``."""
