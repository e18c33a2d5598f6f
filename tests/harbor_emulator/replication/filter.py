"""Replication filters (mirrors src/pkg/reg/filter and src/pkg/reg/util/pattern.go).

Patterns follow bmatcuk/doublestar (v1), which Harbor's ``util.Match`` uses: ``*`` is any run of characters but ``/``,
``?`` one such character, ``[abc]``/``[a-z]``/``[^a]`` a class, ``{a,b}`` alternatives (nested too), ``\\x`` a literal
``x``, and ``**`` as a whole path component any number (zero included) of components. An empty pattern matches
everything. A malformed pattern raises ``PatternError`` (Harbor's ``ErrBadPattern``).

Only the filters Harbor applies when a manual or scheduled run fetches its candidates are applied here: ``name`` on the
repository path (``<project>/<repo>``), ``tag`` (each artifact keeps only its matching tags; an untagged artifact
is matched as the empty string) and ``label`` (the artifact must carry every label; ``excludes`` inverts). The
``resource`` filter only serves event-based runs in Harbor, so it selects nothing here.
"""
import functools
import re


class PatternError(ValueError):
    def __init__(self, pattern):
        super().__init__("syntax error in pattern")
        self.pattern = pattern


def expand_braces(pattern):
    """All alternatives of the first top-level ``{...}`` group, recursively (``a{b,c}d`` -> ``abd``, ``acd``)."""
    start = _unescaped_index(pattern, "{")
    if start < 0:
        if _unescaped_index(pattern, "}") >= 0:
            raise PatternError(pattern)
        return [pattern]
    depth, parts, current = 0, [], start + 1
    for index in range(start, len(pattern)):
        char = pattern[index]
        if char == "\\":
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                parts.append(pattern[current:index])
                head, tail = pattern[:start], pattern[index + 1:]
                return [expanded for part in parts for expanded in expand_braces(head + part + tail)]
        elif char == "," and depth == 1:
            parts.append(pattern[current:index])
            current = index + 1
    raise PatternError(pattern)


def _unescaped_index(text, char):
    index = 0
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] == char:
            return index
        index += 1
    return -1


def _component_regex(component, pattern):
    out, index = [], 0
    while index < len(component):
        char = component[index]
        if char == "\\":
            if index + 1 >= len(component):
                raise PatternError(pattern)
            out.append(re.escape(component[index + 1]))
            index += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = component.find("]", index + 2)
            if end < 0:
                raise PatternError(pattern)
            body = component[index + 1:end]
            negate = body[:1] in ("^", "!")
            body = body[1:] if negate else body
            out.append("[%s%s]" % ("^" if negate else "", body.replace("\\", "\\\\")))
            index = end
        else:
            out.append(re.escape(char))
        index += 1
    return "".join(out)


def _alternative_regex(alternative, pattern):
    components = alternative.split("/")
    out, glue = [], ""
    for index, component in enumerate(components):
        last = index == len(components) - 1
        if component == "**":
            if last:
                out.append("(?:/.*)?" if index else ".*")
            else:
                out.append(glue + "(?:.*/)?")
                glue = ""
                continue
        else:
            out.append(glue + _component_regex(component, pattern))
        glue = "/"
    return "".join(out)


@functools.lru_cache(maxsize=256)
def compile_pattern(pattern):
    alternatives = [_alternative_regex(alt, pattern) for alt in expand_braces(pattern)]
    try:
        return re.compile("^(?:%s)$" % "|".join(alternatives), re.DOTALL)
    except re.error:
        raise PatternError(pattern)


def match(pattern, text):
    """util.Match: True when ``text`` matches the doublestar ``pattern`` (an empty pattern matches everything)."""
    if not pattern:
        return True
    return compile_pattern(pattern).match(text) is not None


def specific_names(component):
    """util.IsSpecificPathComponent: the exact names a pattern component stands for, or None when it is a wildcard."""
    if not component or any(char in component for char in "*?[\\]^/"):
        return None
    if not any(char in component for char in "{},"):
        return [component]
    start, end = component.find("{"), component.rfind("}")
    if component.count("{") > 1 or start < 0 or end < 0 or start > end:
        return None
    return [component[:start] + part + component[end + 1:] for part in component[start + 1:end].split(",")]


def _of_type(filters, kind):
    return [item for item in filters or [] if item.get("type") == kind]


def name_pattern(filters):
    """The first name filter's pattern ("" when there is none), which also selects the source projects."""
    found = _of_type(filters, "name")
    return found[0].get("value") or "" if found else ""


def filter_repositories(names, filters):
    """DoFilterRepositories: the repository paths matching every name filter."""
    for item in _of_type(filters, "name"):
        names = [name for name in names if match(item.get("value") or "", name)]
    return names


def _keep(matched, decoration):
    return not matched if decoration == "excludes" else matched


def filter_artifacts(artifacts, filters):
    """DoFilterArtifacts on ``[{"digest", "type", "tags": [names], "labels": [names]}]``, filters applied in order."""
    for item in filters or []:
        kind, decoration = item.get("type"), item.get("decoration") or "matches"
        if kind == "label" and item.get("value"):
            wanted = list(item["value"])
            artifacts = [art for art in artifacts if _keep(all(label in art["labels"] for label in wanted), decoration)]
        elif kind == "tag" and item.get("value"):
            artifacts = _filter_tags(artifacts, item["value"], decoration)
    return artifacts


def _filter_tags(artifacts, pattern, decoration):
    result = []
    for art in artifacts:
        if not art["tags"]:
            if _keep(match(pattern, ""), decoration):
                result.append(art)
            continue
        tags = [tag for tag in art["tags"] if _keep(match(pattern, tag), decoration)]
        if tags:
            result.append(dict(art, tags=tags))
    return result
