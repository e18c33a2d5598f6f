"""harbor_repository_info with ansible-playbook against the emulator: exact names and patterns, tag and label selection,
references, query, paging over more than one page, a missing project, bad patterns; reads only."""
import pytest

from tests.support.names import unique

MODULE = "registryops.harbor.harbor_repository_info"


def info(title, **args):
    return {"name": title, MODULE: args}


def seed_nvaie(harbor):
    harbor.seed(project="nvaie", repository="nvidia/cuda", tags=["12.4.1-base", "12.4.1-runtime"], size=100)
    harbor.seed(project="nvaie", repository="nvidia/cuda", tags=["11.8-base"], size=90, labels=["prod"])
    harbor.seed(project="nvaie", repository="nvidia/tritonserver", tags=["24.05-py3"], size=300, labels=["prod"])
    harbor.seed(project="nvaie", repository="nvidia/scratch", tags=["dev"])
    harbor.seed(project="nvaie", repository="charts/nim", tags=["1.0.0"], type="chart", size=5)
    harbor.seed(project="nvaie", repository="untagged", digest="sha256:" + "ab" * 32)


@pytest.mark.emulator_only("seeds labels, sizes and a chosen digest (the emulator's seed control)")
def test_selection_by_name_pattern_tag_and_labels(run_play, harbor):
    seed_nvaie(harbor)
    harbor.clear_log()
    play = run_play([
        info("all", project="nvaie"),
        info("exact", project="nvaie", repository=["nvidia/cuda", "nope"]),
        info("pattern", project="nvaie", repository=["nvidia/*"], tag="{2*,1*}"),
        info("excludes", project="nvaie", repository=["**"], tag="*-base", tag_decoration="excludes"),
        info("labels", project="nvaie", labels=["prod"]),
        info("no-artifacts", project="nvaie", artifacts=False),
        info("query", project="nvaie", repository=["charts/**"], query="[].{name: name, tags: artifacts[].tags[]}"),
        info("missing", project="nope"),
    ])
    assert play.rc == 0, play.output
    everything = play.result("all")
    assert everything["project_exists"] is True
    names = [r["name"] for r in everything["repositories"]]
    assert names == ["charts/nim", "nvidia/cuda", "nvidia/scratch", "nvidia/tritonserver", "untagged"]
    cuda = everything["repositories"][1]
    assert cuda["full_name"] == "nvaie/nvidia/cuda" and cuda["artifact_count"] == 2
    base = [a for a in cuda["artifacts"] if "12.4.1-base" in a["tags"]][0]
    assert base["tags"] == ["12.4.1-base", "12.4.1-runtime"] and base["type"] == "image" and base["size"] == 100
    assert base["digest"].startswith("sha256:") and base["push_time"]
    assert everything["repositories"][0]["artifacts"][0]["type"] == "chart"
    assert "nvaie/untagged@sha256:" + "ab" * 32 in everything["references"]
    assert "nvaie/nvidia/cuda:12.4.1-base@" + base["digest"] in everything["references"]
    assert len(everything["references"]) == 7

    assert [r["name"] for r in play.result("exact")["repositories"]] == ["nvidia/cuda"]
    # "*" stays in one level; {2*,1*} keeps only matching tags; scratch (dev) is left out with its artifacts.
    pattern = play.result("pattern")
    assert [r["name"] for r in pattern["repositories"]] == ["nvidia/cuda", "nvidia/tritonserver"]
    assert [ref.split("@")[0] for ref in pattern["references"]] == [
        "nvaie/nvidia/cuda:11.8-base", "nvaie/nvidia/cuda:12.4.1-base", "nvaie/nvidia/cuda:12.4.1-runtime",
        "nvaie/nvidia/tritonserver:24.05-py3"]
    excluded = [ref.split("@")[0] for ref in play.result("excludes")["references"]]
    assert "nvaie/nvidia/cuda:12.4.1-runtime" in excluded and "nvaie/nvidia/cuda:12.4.1-base" not in excluded
    assert "nvaie/nvidia/cuda:11.8-base" not in excluded
    labelled = play.result("labels")
    assert [r["name"] for r in labelled["repositories"]] == ["nvidia/cuda", "nvidia/tritonserver"]
    assert labelled["repositories"][0]["artifacts"][0]["labels"] == ["prod"]
    assert "artifacts" not in play.result("no-artifacts")["repositories"][0]
    assert play.result("query")["repositories"] == [{"name": "charts/nim", "tags": ["1.0.0"]}]
    missing = play.result("missing")
    assert missing["project_exists"] is False and missing["repositories"] == [] and missing["references"] == []
    assert play.changed == 0
    assert harbor.writes() == []


@pytest.mark.emulator_only("208 artifacts made by the emulator's seed control in a second (pushes would take minutes)")
def test_lists_longer_than_a_page(run_play, harbor):
    for index in range(105):
        harbor.seed(project="many", repository="img%03d" % index, tags=["1"])
    for index in range(103):
        harbor.seed(project="many", repository="tags", tags=["t%03d" % index])
    play = run_play([info("all", project="many", repository=["img*", "tags"])])
    assert play.rc == 0, play.output
    result = play.result("all")
    assert len(result["repositories"]) == 106
    assert len(result["references"]) == 105 + 103
    paged = [e for e in harbor.requests_log() if e["path"] == "/api/v2.0/projects/many/repositories"]
    assert len(paged) == 2                                      # 100 + 6, followed by the Link header


def test_bad_pattern_is_refused_naming_the_option(run_play, harbor):
    harbor.seed(project=unique("nvaie"), repository="a", tags=["1"])
    play = run_play([info("bad", project=unique("nvaie"), repository=["nvidia/[abc"])])
    assert play.rc != 0
    assert "repository: 'nvidia/[abc' is not a valid pattern" in play.output
    assert "Traceback" not in play.output
