# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Repositories and artifacts of a project (harbor_repository_info). FOR INTERNAL COLLECTION USE ONLY.

Harbor's routes (src/server/v2.0/handler/repository.go, artifact.go): ``GET /projects/{p}/repositories`` (paged),
``GET /projects/{p}/repositories/{r}`` and ``GET /projects/{p}/repositories/{r}/artifacts`` (paged; tags by default,
labels with ``with_label=true``), where ``{r}`` is the name inside the project URL-encoded twice.
Patterns are doublestar patterns as replication filters use them (``*`` stays inside one path level, ``**`` crosses
levels, ``?``, ``[...]``, ``{a,b}``), so a rule's filters select here what the rule would copy.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.registryops.harbor.plugins.module_utils.client import quote, quote_repository
from ansible_collections.registryops.harbor.plugins.module_utils.errors import HarborValidationError
from ansible_collections.registryops.harbor.plugins.module_utils.validation import check_project_name

PATTERN_CHARS = "*?[{"


def is_pattern(text):
    return any(char in text for char in PATTERN_CHARS)


def _expand_braces(pattern):
    """``a{b,c}d`` -> ``[abd, acd]`` (nested and repeated groups too)."""
    start = pattern.find("{")
    if start < 0:
        return [pattern]
    depth = 0
    for end in range(start, len(pattern)):
        if pattern[end] == "{":
            depth += 1
        elif pattern[end] == "}":
            depth -= 1
            if depth == 0:
                break
    else:
        raise ValueError("unbalanced {")
    inner, parts, depth, last = pattern[start + 1:end], [], 0, 0
    for index, char in enumerate(inner):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(inner[last:index])
            last = index + 1
    parts.append(inner[last:])
    return [expanded for part in parts for expanded in _expand_braces(pattern[:start] + part + pattern[end + 1:])]


def _regex(alternative):
    out, index = [], 0
    while index < len(alternative):
        char = alternative[index]
        if alternative.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
            continue
        if alternative.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = alternative.find("]", index + 2)
            if end < 0:
                raise ValueError("unclosed [")
            body = alternative[index + 1:end]
            if body.startswith(("!", "^")):
                body = "^" + body[1:]
            out.append("[%s]" % body.replace("\\", "\\\\"))
            index = end
        elif char == "\\" and index + 1 < len(alternative):
            index += 1
            out.append(re.escape(alternative[index]))
        else:
            out.append(re.escape(char))
        index += 1
    return "".join(out)


def compile_pattern(pattern, option):
    """A compiled doublestar ``pattern``; a bad one is refused naming ``option``."""
    try:
        return re.compile("^(?:%s)$" % "|".join(_regex(alt) for alt in _expand_braces(pattern)), re.DOTALL)
    except (ValueError, re.error) as exc:
        raise HarborValidationError("%s: %r is not a valid pattern (%s); use * for one path level, ** for any, ? and"
                                    " [abc] for one character, {a,b} for alternatives" % (option, pattern, exc))


class RepositoryReader(object):
    """Reads the repositories (and their artifacts) of one project that match the module's selection."""

    def __init__(self, module):
        self.module = module
        self.client = module.client
        params = module.params
        self.project = params["project"]
        self.names = [name.strip("/") for name in params["repository"] or [] if name and name.strip("/")]
        self.patterns = [compile_pattern(name, "repository") for name in self.names if is_pattern(name)]
        self.tag = compile_pattern(params["tag"], "tag") if params["tag"] else None
        self.tag_excludes = params["tag_decoration"] == "excludes"
        self.labels = params["labels"] or []
        self.label_excludes = params["label_decoration"] == "excludes"

    def project_exists(self):
        return self.client.get_or_none("/projects/%s" % quote(self.project), headers=self.client.BY_NAME) is not None

    def repositories(self):
        """Harbor's repository records selected by ``repository`` (exact names read one by one, patterns by listing)."""
        base = "/projects/%s/repositories" % quote(self.project)
        exact = [name for name in self.names if not is_pattern(name)]
        if self.names and not self.patterns:
            found = [self.client.get_or_none("%s/%s" % (base, quote_repository(name))) for name in exact]
            return [repo for repo in found if repo]
        listed = self.client.list(base)
        if not self.names:
            return listed
        return [repo for repo in listed if self._selected(self.short_name(repo["name"]), exact)]

    def _selected(self, name, exact):
        return name in exact or any(pattern.match(name) for pattern in self.patterns)

    def short_name(self, full_name):
        prefix = self.project + "/"
        return full_name[len(prefix):] if full_name.startswith(prefix) else full_name

    def artifacts(self, short_name):
        params = {"with_tag": "true", "with_label": "true" if self.labels else "false"}
        path = "/projects/%s/repositories/%s/artifacts" % (quote(self.project), quote_repository(short_name))
        selected = []
        for raw in self.client.list(path, params=params):
            art = artifact(raw)
            if self.labels:
                has_all = all(label in art["labels"] for label in self.labels)
                if has_all == self.label_excludes:
                    continue
            if self.tag is not None:
                kept = [tag for tag in art["tags"] if bool(self.tag.match(tag)) != self.tag_excludes]
                if not art["tags"] and bool(self.tag.match("")) == self.tag_excludes:
                    continue
                if art["tags"] and not kept:
                    continue
                art["tags"] = kept
            selected.append(art)
        return selected


def artifact(raw):
    return dict(digest=raw.get("digest"), tags=sorted(tag.get("name") for tag in raw.get("tags") or []),
                type=(raw.get("type") or "").lower(), media_type=raw.get("media_type"), size=raw.get("size") or 0,
                push_time=raw.get("push_time"), pull_time=raw.get("pull_time"),
                labels=sorted(label.get("name") for label in raw.get("labels") or []))


def references(repositories):
    """``<project>/<repository>:<tag>@<digest>`` per tag, ``<project>/<repository>@<digest>`` for an untagged artifact."""
    out = []
    for repo in repositories:
        for art in repo.get("artifacts") or []:
            if art["tags"]:
                out.extend("%s:%s@%s" % (repo["full_name"], tag, art["digest"]) for tag in art["tags"])
            else:
                out.append("%s@%s" % (repo["full_name"], art["digest"]))
    return sorted(out)


def repository_info(module):
    check_project_name(module.params["project"], "project")
    reader = RepositoryReader(module)
    if not reader.project_exists():
        return dict(changed=False, project_exists=False, repositories=module.select([]), references=[])
    repositories = []
    for raw in reader.repositories():
        short = reader.short_name(raw.get("name", ""))
        repo = dict(name=short, full_name=raw.get("name"), id=raw.get("id"), artifact_count=raw.get("artifact_count") or 0,
                    pull_count=raw.get("pull_count") or 0, description=raw.get("description") or "",
                    creation_time=raw.get("creation_time"), update_time=raw.get("update_time"))
        if module.params["artifacts"]:
            repo["artifacts"] = reader.artifacts(short)
            if (reader.tag is not None or reader.labels) and not repo["artifacts"]:
                continue
        repositories.append(repo)
    repositories.sort(key=lambda repo: repo["name"])
    return dict(changed=False, project_exists=True, references=references(repositories),
                repositories=module.select(repositories))
