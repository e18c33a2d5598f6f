"""POST /_emulator/seed: put an artifact into a project, creating the project when it is missing.

Body ``{"project": "library", "repository": "nginx", "tags": ["1.25"], "labels": ["prod"], "type": "image"|"chart",
"size": 1024, "digest": "sha256:..."}``; only ``project`` and ``repository`` are required. A new project is private
and owned by the admin, with the default quota. Answers 201 with the artifact (swagger ``Artifact``, tags and labels
included). The digest, when not given, is a sha256 derived from project, repository, tags and type.
"""
from flask import Blueprint, current_app, jsonify, request

from .errors import bad_request
from .handler import project as projects
from .storage import storage_of

bp = Blueprint("seed", __name__)

ARTIFACT_TYPES = ("image", "chart")


def parse(data):
    if not isinstance(data, dict) or not isinstance(data.get("project"), str) or not isinstance(data.get("repository"), str):
        raise bad_request("seed needs a JSON object with the strings 'project' and 'repository'")
    spec = {"project": data["project"], "repository": data["repository"].strip("/"), "tags": data.get("tags") or [],
            "labels": data.get("labels") or [], "type": (data.get("type") or "image").lower(), "size": data.get("size", 0),
            "digest": data.get("digest")}
    if spec["type"] not in ARTIFACT_TYPES:
        raise bad_request("type must be one of %s" % ", ".join(ARTIFACT_TYPES))
    if not all(isinstance(v, str) for v in spec["tags"] + spec["labels"]) or not spec["repository"]:
        raise bad_request("repository must be non-empty and tags and labels lists of strings")
    if not isinstance(spec["size"], int) or isinstance(spec["size"], bool) or spec["size"] < 0:
        raise bad_request("size must be a non-negative integer")
    return spec


@bp.post("/_emulator/seed")
def seed():
    st = current_app.config["state"]
    spec = parse(request.get_json(silent=True))
    with st.lock:
        if projects.find(st, spec["project"]) is None:
            projects.create_project(st, spec["project"], projects.first_sysadmin_id(st), {"public": "false"})
    try:        # a registry-backed emulator pushes a real artifact (its digest and size are the registry's)
        art = storage_of(st).seed(spec["project"], spec["repository"], digest=spec["digest"], tags=spec["tags"],
                                  labels=spec["labels"], type=spec["type"], size=spec["size"])
    except ValueError as exc:
        raise bad_request(str(exc))
    return jsonify(art), 201
