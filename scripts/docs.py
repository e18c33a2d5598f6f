"""Build the docs site: ``bash scripts/docs`` (or ``.venv/bin/python scripts/docs.py``) -> build/docs/html.

1. Build the collection tarball and install it into build/docs/collections: the site documents what ships (the plugins'
   DOCUMENTATION, the roles' meta/argument_specs.yml, the guides of docs/docsite/ listed in extra-docs.yml).
2. ``antsibull-docs lint-collection-docs --plugin-docs`` on it (markup, links between the docs, extra docs).
3. ``antsibull-docs sphinx-init --use-current --squash-hierarchy`` writes the Sphinx project into build/docs/sphinx, and
   its own ``build.sh`` runs ``antsibull-docs collection`` and ``sphinx-build -W --keep-going``.
4. Offline, the intersphinx mapping is replaced by a local inventory of the few labels of Ansible's docs that the
   generated pages link to (ANSIBLE_LABELS), so no download is tried and the links still point at docs.ansible.com.
"""
import os
import shutil
import subprocess
import sys
import urllib.request
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "build" / "docs"
BIN = Path(sys.executable).parent
ANSIBLE_DOCS = "https://docs.ansible.com/projects/ansible/devel/"

# Labels of Ansible's own docs that antsibull-docs' pages refer to: (page#anchor, title).
ANSIBLE_LABELS = {
    "common_return_values": ("reference_appendices/common_return_values.html#common-return-values", "Return Values"),
    "ansible_configuration_settings": ("reference_appendices/config.html#ansible-configuration-settings",
                                       "Ansible Configuration Settings"),
}


def log(text):
    print("==> %s" % text, file=sys.stderr, flush=True)


def run(cmd, cwd=REPO, env=None):
    proc = subprocess.run([str(c) for c in cmd], cwd=str(cwd), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout)
        sys.exit("%s failed (rc=%s)" % (" ".join(map(str, cmd)), proc.returncode))
    return proc.stdout


def online():
    wanted = os.environ.get("DOCS_INTERSPHINX")
    if wanted in ("0", "1"):
        return wanted == "1"
    try:
        urllib.request.urlopen(ANSIBLE_DOCS + "objects.inv", timeout=5).close()
        return True
    except Exception:  # no network, DNS failure, proxy refusal: all mean offline here
        return False


def offline_inventory(path):
    lines = "".join("%s std:label -1 %s %s\n" % (label, uri, title) for label, (uri, title) in sorted(ANSIBLE_LABELS.items()))
    header = "# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n# The remainder of this file is compressed using zlib.\n"
    path.write_bytes(header.encode() + zlib.compress(lines.encode()))


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    (OUT / "sphinx").mkdir(parents=True)
    os.chmod(OUT / "sphinx", 0o755)   # antsibull-docs wants its folders writable by their owner only
    env = dict(os.environ, PATH="%s:%s" % (BIN, os.environ.get("PATH", "")), ANSIBLE_COLLECTIONS_PATH=str(OUT / "collections"),
               ANSIBLE_NOCOLOR="1")
    env.pop("ANSIBLE_CONFIG", None)
    log("collection tarball, installed into build/docs/collections")
    run([BIN / "ansible-galaxy", "collection", "build", "--force", "--output-path", OUT, REPO], env=env)
    tarball = next(OUT.glob("registryops-harbor-*.tar.gz"))
    version = tarball.name[len("registryops-harbor-"):-len(".tar.gz")]
    run([BIN / "ansible-galaxy", "collection", "install", "--force", "-p", OUT / "collections", tarball], env=env)
    installed = OUT / "collections" / "ansible_collections" / "registryops" / "harbor"

    log("antsibull-docs lint-collection-docs")
    out = run([BIN / "antsibull-docs", "lint-collection-docs", "--plugin-docs", installed], env=env)
    if out.strip():
        sys.exit("antsibull-docs lint-collection-docs:\n" + out)

    log("antsibull-docs sphinx-init")
    run([BIN / "antsibull-docs", "sphinx-init", "--use-current", "--squash-hierarchy", "--fail-on-error",
         "--no-add-antsibull-docs-version", "--dest-dir", OUT / "sphinx", "--project", "registryops.harbor",
         "--copyright", "registryops.harbor contributors", "--title", "registryops.harbor %s" % version,
         "--html-short-title", "registryops.harbor", "registryops.harbor"], env=env)
    conf = OUT / "sphinx" / "conf.py"
    if online():
        log("intersphinx: online, Ansible's inventories are downloaded")
    else:
        log("intersphinx: offline, links into Ansible's docs come from a local inventory")
        offline_inventory(OUT / "sphinx" / "ansible_offline.inv")
        with conf.open("a") as handle:
            handle.write("\n# Added by scripts/docs.py (offline): no download; the labels of Ansible's docs the pages use.\n"
                         "intersphinx_mapping = {'ansible_devel': (%r, %r)}\n" % (ANSIBLE_DOCS, str(OUT / "sphinx" / "ansible_offline.inv")))

    log("build.sh: antsibull-docs collection + sphinx-build -W")
    run(["bash", OUT / "sphinx" / "build.sh"], cwd=OUT / "sphinx", env=env)
    shutil.move(str(OUT / "sphinx" / "build" / "html"), str(OUT / "html"))
    log("docs site: %s" % (OUT / "html" / "index.html"))


if __name__ == "__main__":
    main()
