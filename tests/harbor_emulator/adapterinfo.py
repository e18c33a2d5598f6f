"""What each registry adapter type declares about itself (mirrors the ``AdapterPattern()`` and ``Info()`` methods of
src/pkg/reg/adapter/*).

- ``provider_info(kind)``: the ``RegistryProviderInfo`` of ``/replication/adapterinfos``, or None for the adapters whose
  factory declares no pattern (Harbor leaves those out of the map).
- ``registry_info(registry, labels)``: the ``RegistryInfo`` of ``/registries/{id}/info`` after controller ``process()``:
  the adapter's filters, then a radio ``resource`` filter of its resource types.
"""

FIX, LIST, STANDARD = "EndpointPatternTypeFix", "EndpointPatternTypeList", "EndpointPatternTypeStandard"

ALI_REGIONS = ("cn-qingdao", "cn-beijing", "cn-zhangjiakou", "cn-huhehaote", "cn-wulanchabu", "cn-hangzhou", "cn-shanghai",
               "cn-shenzhen", "cn-heyuan", "cn-guangzhou", "cn-chengdu", "cn-hongkong", "ap-southeast-1", "ap-southeast-2",
               "ap-southeast-3", "ap-southeast-5", "ap-south-1", "ap-northeast-1", "us-west-1", "us-east-1", "eu-central-1",
               "eu-west-1", "me-east-1")
ALI_HOSTS = (("", "registry.%s.aliyuncs.com"), ("-vpc", "registry-vpc.%s.aliyuncs.com"),
             ("-internal", "registry-internal.%s.aliyuncs.com"), ("-ee-vpc", "instanceName-registry-vpc.%s.cr.aliyuncs.com"),
             ("-ee", "instanceName-registry.%s.cr.aliyuncs.com"))
AWS_REGIONS = ("us-east-2", "us-east-1", "us-west-1", "us-west-2", "af-south-1", "ap-east-1", "ap-south-1", "ap-northeast-3",
               "ap-northeast-2", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "ca-central-1", "cn-north-1",
               "cn-northwest-1", "eu-central-1", "eu-west-1", "eu-west-2", "eu-south-1", "eu-west-3", "eu-north-1",
               "me-south-1", "sa-east-1")
GCR_HOSTS = ("gcr.io", "us.gcr.io", "eu.gcr.io", "asia.gcr.io")


def endpoints(kind, pairs):
    return {"endpoint_type": kind, "endpoints": [{"key": key, "value": value} for key, value in pairs]}


def credential_pattern(key_data, secret_data):
    pattern = {"access_key_data": key_data, "access_key_type": "AccessKeyTypeFix", "access_secret_type": "AccessSecretTypeFile"}
    if secret_data:
        pattern["access_secret_data"] = secret_data
    return pattern


PROVIDER_INFOS = {
    "ali-acr": {"endpoint_pattern": endpoints(LIST, [(region + suffix, "https://" + host % region)
                                                     for region in ALI_REGIONS for suffix, host in ALI_HOSTS])},
    "aws-ecr": {"endpoint_pattern": endpoints(LIST, [(region, "https://api.ecr.%s.amazonaws.com" % region) for region in AWS_REGIONS])},
    "docker-hub": {"endpoint_pattern": endpoints(FIX, [("hub.docker.com", "https://hub.docker.com")])},
    "github-ghcr": {"endpoint_pattern": endpoints(FIX, [("ghcr.io", "https://ghcr.io")])},
    "google-gcr": {"endpoint_pattern": endpoints(LIST, [(host, "https://" + host) for host in GCR_HOSTS]),
                   "credential_pattern": credential_pattern("_json_key", "No Change")},
    "quay": {"endpoint_pattern": {"endpoint_type": STANDARD}, "credential_pattern": credential_pattern("json_file", "")},
    "tencent-tcr": {},
    "volcengine-cr": {},
}


def provider_info(kind):
    info = PROVIDER_INFOS.get(kind)
    return None if info is None else {key: dict(value) for key, value in info.items()}


def registry_info(registry, labels=None):
    """The adapter's Info() through process(); ``labels`` are the remote Harbor's global labels (harbor type only)."""
    kind = registry["type"]
    filters = [{"type": "name", "style": "input"}, {"type": "tag", "style": "input"}]
    info = {"type": kind}
    if kind == "huawei-SWR":
        info["description"] = "Adapter for SWR -- The image registry of Huawei Cloud"
    resource_types = ["image"]
    if kind == "harbor":
        label_filter = {"type": "label", "style": "list"}
        if labels:
            label_filter["values"] = list(labels)
        filters.append(label_filter)
        resource_types.append("artifact")
        info["supported_copy_by_chunk"] = True
    filters.append({"type": "resource", "style": "radio", "values": resource_types})
    for item in filters:                # FilterStyle.values is an array: null when the adapter lists none (go-swagger)
        item.setdefault("values", None)
    info["supported_resource_filters"] = filters
    info["supported_triggers"] = ["manual", "scheduled"]
    return info
