"""Event-based replication (mirrors src/controller/event/handler/replication/replication.go and event/handler.go).

This Harbor's pushes and deletions are events; each starts an execution (trigger ``event_based``) of every related
policy, for that one resource:

- ``pushed(state, project, repository, digest, tags)``: a manifest pushed through ``/v2/`` (PushArtifactEvent; a
  push by tag is also CreateTagEvent, handled the same way).
- ``deleted(state, project, repository, art)``: an artifact deleted through the API or ``/v2/`` (DeleteArtifactEvent;
  its tags at the time of the deletion travel with it).

A related policy (getRelatedPolicies) is enabled, has this Harbor as its source (``src_registry`` id 0), an
``event_based`` trigger, ``deletion`` (``replicate_deletion``) set when the event is a deletion, and its filters keep the
resource (DoFilterResources: name on the repository path, tag on the artifact's tags, label). The execution copies
only that resource, or, for a deletion, deletes it on the destination (flow/deletion.go: a task whose operation is
``deletion``; transfer.go delete).
Not emulated: tag deletion (DeleteTagEvent; the emulator has no tag API), label events.
"""
from ..handler import project as projects
from ..store import artifact_store
from . import filter as filters_mod, flow
from .adapter import resource, simple_artifact


def pushed(state, project, repository, digest, tags):
    with state.lock:
        found = projects.find(state, project)
        public = found["metadata"].get("public", "false") if found else "false"
        art = artifact_store(state).get(project, repository, digest)
    if art is None:
        return []
    art = dict(simple_artifact(art), tags=list(tags))
    return handle(state, resource("artifact", "%s/%s" % (project, repository), [art], public))


def deleted(state, project, repository, art):
    simple = {"digest": art["digest"], "type": art["type"], "tags": [t["name"] for t in art.get("tags") or []],
              "labels": [label["name"] for label in art.get("labels") or []]}
    return handle(state, dict(resource("artifact", "%s/%s" % (project, repository), [simple]), deleted=True))


def related_policies(state, res):
    """getRelatedPolicies (lock held)."""
    related = []
    for policy in sorted(state.policies.values(), key=lambda p: p["id"]):
        if not policy["enabled"] or policy["src_registry_id"] or (policy["trigger"] or {}).get("type") != "event_based":
            continue
        if res.get("deleted") and not policy["deletion"]:
            continue
        try:
            repos = filters_mod.filter_repositories([res["repository"]], policy["filters"])
            arts = filters_mod.filter_artifacts(res["artifacts"], policy["filters"]) if repos else []
        except filters_mod.PatternError:
            continue
        if arts:
            related.append(policy)
    return related


def handle(state, res):
    """Start an execution of each related policy for ``res``; returns their ids."""
    started = []
    with state.lock:
        for policy in related_policies(state, res):
            dest = state.registries.get(policy["dest_registry_id"]) if policy["dest_registry_id"] else None
            started.append(flow.start(state, policy, None, dest, "event_based", resource=res))
    return started
