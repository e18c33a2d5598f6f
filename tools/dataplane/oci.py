"""Small, real, deterministic OCI artifacts built locally (stdlib only): images, image indexes and Helm charts.

The same call always gives the same bytes, so the same digests: tar entries carry mtime 0, uid/gid 0 and no user
names, gzip streams carry mtime 0 and no file name, JSON is written with sorted keys and no spaces.

    image("busybox", "1.36")                   -> Manifest (OCI image manifest, one layer, linux/amd64)
    image_index("busybox", "1.36")             -> Manifest (OCI image index over linux/amd64 and linux/arm64 images)
    helm_chart("etcd", "10.2.3", "3.5.14")     -> Manifest (a Helm chart as Helm >= 3.8 pushes it)
    write_layout(path, {"1.36": manifest})     -> an OCI image layout directory (``skopeo copy oci:path:1.36 ...``)

A ``Manifest`` knows its bytes, media type, digest and every blob and child manifest it references
(``manifest.all_blobs()``, ``manifest.children``), which is what a push over the distribution API needs
(tools/dataplane/distribution.py).
"""
import gzip
import hashlib
import io
import json
import os
import tarfile

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json"
HELM_CHART = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
REF_NAME = "org.opencontainers.image.ref.name"

PLATFORMS = (("linux", "amd64"), ("linux", "arm64"))


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def canonical_json(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def tar_bytes(files):
    """A tar of ``{path: bytes or str}`` (sorted paths, parent directories included), byte for byte reproducible."""
    buf = io.BytesIO()
    dirs = set()
    for path in files:
        parts = path.split("/")[:-1]
        dirs.update("/".join(parts[:i]) for i in range(1, len(parts) + 1))
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(dirs | set(files)):
            info = tarfile.TarInfo(name)
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if name in files:
                data = files[name].encode() if isinstance(files[name], str) else files[name]
                info.size = len(data)
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(data))
            else:
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
    return buf.getvalue()


def gzip_bytes(data):
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", fileobj=buf, mode="wb", mtime=0, compresslevel=9) as gz:
        gz.write(data)
    return buf.getvalue()


class Blob:
    """A content-addressed blob: a layer, an image config, a chart."""

    def __init__(self, media_type, data):
        self.media_type = media_type
        self.data = data
        self.digest = sha256(data)
        self.size = len(data)

    def descriptor(self, **extra):
        return dict({"mediaType": self.media_type, "digest": self.digest, "size": self.size}, **extra)

    def __repr__(self):
        return "Blob(%s, %s, %d bytes)" % (self.media_type, self.digest, self.size)


class Manifest(Blob):
    """An image manifest (``blobs`` = config + layers) or an image index (``children`` = the platform manifests)."""

    def __init__(self, media_type, body, blobs=(), children=(), platform=None, artifact_type="IMAGE"):
        super().__init__(media_type, canonical_json(body))
        self.body = body
        self.blobs = list(blobs)
        self.children = list(children)
        self.platform = platform
        self.artifact_type = artifact_type  # Harbor's Artifact.type: IMAGE or CHART

    @property
    def config(self):
        return self.blobs[0] if self.blobs else None

    def all_blobs(self):
        """Every blob this manifest (and its children) reference, each once."""
        seen = {}
        for manifest in self.children + [self]:
            for blob in manifest.blobs:
                seen.setdefault(blob.digest, blob)
        return list(seen.values())

    def __repr__(self):
        return "Manifest(%s, %s, %d blobs, %d children)" % (self.media_type, self.digest, len(self.blobs), len(self.children))


def image(name, tag, os_name="linux", arch="amd64", files=None):
    """A single-platform OCI image: one layer (a small file tree naming the image) and its config."""
    files = files or {
        "etc/%s-release" % name: "NAME=%s\nVERSION=%s\nPLATFORM=%s/%s\n" % (name, tag, os_name, arch),
        "usr/share/%s/README" % name: "A small test image built by registryops.harbor's tools/dataplane.\n",
    }
    tar = tar_bytes(files)
    layer = Blob(OCI_LAYER, gzip_bytes(tar))
    config = Blob(OCI_CONFIG, canonical_json({
        "architecture": arch,
        "os": os_name,
        "config": {"Cmd": ["/bin/sh"], "Labels": {"org.opencontainers.image.version": tag}},
        "rootfs": {"type": "layers", "diff_ids": [sha256(tar)]},
        "history": [{"created_by": "tools/dataplane/oci.py", "created": "1970-01-01T00:00:00Z"}],
    }))
    body = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": config.descriptor(),
        "layers": [layer.descriptor()],
    }
    return Manifest(OCI_MANIFEST, body, blobs=[config, layer], platform={"os": os_name, "architecture": arch})


def incompressible(size, seed=b""):
    """``size`` bytes that gzip cannot shrink, the same for the same seed (a sha256 counter stream)."""
    out = bytearray()
    counter = 0
    while len(out) < size:
        out.extend(hashlib.sha256(seed + counter.to_bytes(8, "big")).digest())
        counter += 1
    return bytes(out[:size])


def large_image(name, tag, layer_size):
    """An image whose layer holds ``layer_size`` incompressible bytes (for bandwidth limits, which spare small blobs)."""
    return image(name, tag, files={"data/blob.bin": incompressible(layer_size, ("%s:%s" % (name, tag)).encode())})


def image_index(name, tag, platforms=PLATFORMS):
    """A multi-platform OCI image index over one ``image`` per (os, architecture)."""
    children = [image(name, tag, os_name, arch) for os_name, arch in platforms]
    body = {
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [child.descriptor(platform=child.platform) for child in children],
    }
    return Manifest(OCI_INDEX, body, children=children)


def chart_files(name, version, app_version):
    """A minimal real Helm chart (``helm template`` renders it): Chart.yaml, values.yaml and one template."""
    return {
        "%s/Chart.yaml" % name: (
            "apiVersion: v2\nname: %s\nversion: %s\nappVersion: \"%s\"\ntype: application\n"
            "description: A small %s chart built by registryops.harbor's tools/dataplane.\n" % (name, version, app_version, name)),
        "%s/values.yaml" % name: "image:\n  registry: \"\"\n  repository: containers/%s\n  tag: \"%s\"\n" % (name, app_version),
        "%s/templates/configmap.yaml" % name: (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-%s\n"
            "data:\n  image: \"{{ .Values.image.registry }}{{ .Values.image.repository }}:{{ .Values.image.tag }}\"\n" % name),
    }


def helm_chart(name, version, app_version):
    """A Helm chart as an OCI artifact, laid out as ``helm push`` does: Helm config JSON + the chart tgz."""
    chart = Blob(HELM_CHART, gzip_bytes(tar_bytes(chart_files(name, version, app_version))))
    config = Blob(HELM_CONFIG, canonical_json({
        "apiVersion": "v2", "name": name, "version": version, "appVersion": app_version, "type": "application",
        "description": "A small %s chart built by registryops.harbor's tools/dataplane." % name,
    }))
    body = {
        "schemaVersion": 2,
        "config": config.descriptor(),
        "layers": [chart.descriptor()],
        "annotations": {
            "org.opencontainers.image.title": name,
            "org.opencontainers.image.version": version,
        },
    }
    return Manifest(OCI_MANIFEST, body, blobs=[config, chart], artifact_type="CHART")


def write_layout(path, manifests):
    """Write (or add to) an OCI image layout at ``path`` holding ``{ref_name: Manifest}``; returns ``path``."""
    blobs_dir = os.path.join(path, "blobs", "sha256")
    os.makedirs(blobs_dir, exist_ok=True)
    with open(os.path.join(path, "oci-layout"), "w") as handle:
        json.dump({"imageLayoutVersion": "1.0.0"}, handle)
    index_path = os.path.join(path, "index.json")
    index = {"schemaVersion": 2, "manifests": []}
    if os.path.exists(index_path):
        with open(index_path) as handle:
            index = json.load(handle)

    def put(blob):
        target = os.path.join(blobs_dir, blob.digest.split(":", 1)[1])
        if not os.path.exists(target):
            with open(target, "wb") as handle:
                handle.write(blob.data)

    for ref, manifest in manifests.items():
        for blob in manifest.all_blobs() + manifest.children + [manifest]:
            put(blob)
        index["manifests"] = [entry for entry in index["manifests"] if entry.get("annotations", {}).get(REF_NAME) != ref]
        index["manifests"].append(manifest.descriptor(annotations={REF_NAME: ref}))
    with open(index_path, "w") as handle:
        json.dump(index, handle, sort_keys=True)
    return path
