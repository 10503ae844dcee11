"""Drives the Fulcrum GCE simulator with google-api-python-client and checks
every request body and response against the bundled compute.v1.json discovery
document. Usage: conformance.py API_ENDPOINT ADMIN_ROOT PROJECT ZONE."""

import json
import os
import sys
import urllib.request
import uuid

import googleapiclient
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from googleapiclient import discovery
from googleapiclient.errors import HttpError

API_ENDPOINT, ADMIN_ROOT, PROJECT, ZONE = sys.argv[1:5]
DOC_PATH = os.path.join(
    os.path.dirname(googleapiclient.__file__), "discovery_cache", "documents", "compute.v1.json"
)
with open(DOC_PATH) as f:
    DOC = json.load(f)
SCHEMAS = DOC["schemas"]
PROBLEMS = []


def check(value, schema, where):
    """Validates value against a discovery schema; records problems."""
    if "$ref" in schema:
        schema = SCHEMAS[schema["$ref"]]
    kind = schema.get("type")
    if kind == "object":
        if not isinstance(value, dict):
            PROBLEMS.append(f"{where}: expected object, got {type(value).__name__}")
            return
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            if key in props:
                check(item, props[key], f"{where}.{key}")
            elif extra is not None:
                check(item, extra, f"{where}[{key}]")
            else:
                PROBLEMS.append(f"{where}: field {key!r} is not in the schema")
    elif kind == "array":
        if not isinstance(value, list):
            PROBLEMS.append(f"{where}: expected array")
            return
        for index, item in enumerate(value):
            check(item, schema.get("items", {}), f"{where}[{index}]")
    elif kind == "string":
        if not isinstance(value, str):
            PROBLEMS.append(f"{where}: expected string, got {value!r}")
            return
        if schema.get("format") in ("int64", "uint64") and not value.lstrip("-").isdigit():
            PROBLEMS.append(f"{where}: {value!r} is not a {schema['format']} string")
        if "enum" in schema and value not in schema["enum"]:
            PROBLEMS.append(f"{where}: {value!r} not in enum")
    elif kind == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            PROBLEMS.append(f"{where}: expected integer, got {value!r}")
    elif kind == "number":
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            PROBLEMS.append(f"{where}: expected number, got {value!r}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            PROBLEMS.append(f"{where}: expected boolean, got {value!r}")


def method(collection, name):
    return DOC["resources"][collection]["methods"][name]


def call(collection, name, num_retries=0, **params):
    """Runs one API method, validating its request body and its response."""
    spec = method(collection, name)
    for param, rule in spec.get("parameters", {}).items():
        if rule.get("required") and param not in params:
            PROBLEMS.append(f"{collection}.{name}: required parameter {param} missing")
    if "body" in params and "request" in spec:
        check(params["body"], spec["request"], f"{collection}.{name} request")
    result = getattr(SVC, collection)().__getattribute__(name)(**params).execute(num_retries=num_retries)
    if "response" in spec:
        check(result, spec["response"], f"{collection}.{name} response")
    return result


def wait(op):
    """Waits on an Operation in its own scope until DONE."""
    for _ in range(20):
        if op["status"] == "DONE":
            break
        name = op["name"]
        if "zone" in op:
            op = call("zoneOperations", "wait", project=PROJECT, zone=op["zone"].rsplit("/", 1)[1], operation=name)
        elif "region" in op:
            op = call("regionOperations", "wait", project=PROJECT, region=op["region"].rsplit("/", 1)[1], operation=name)
        else:
            op = call("globalOperations", "wait", project=PROJECT, operation=name)
    assert op["status"] == "DONE", op
    assert "error" not in op, op
    return op


def expect_http_error(status, reason, fn):
    try:
        fn()
    except HttpError as error:
        assert error.status_code == status, (error.status_code, error)
        assert error.error_details[0]["reason"] == reason, error.error_details
        return
    raise AssertionError(f"expected HTTP {status}")


def admin(path, body):
    request = urllib.request.Request(
        ADMIN_ROOT + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    urllib.request.urlopen(request, timeout=10).read()


# The checker must catch a wrong type and an unknown field, or it proves nothing.
check({"targetSize": "3", "noSuchField": 1}, {"$ref": "InstanceGroupManager"}, "self-test")
assert len(PROBLEMS) == 2, PROBLEMS
PROBLEMS.clear()

SVC = discovery.build(
    "compute", "v1",
    credentials=AnonymousCredentials(),
    static_discovery=True,
    client_options=ClientOptions(api_endpoint=API_ENDPOINT),
)
IGM = "tf-instance-group-manager"
BS = "tf-backend-service"

# Managed instance group: get, resize (idempotent by requestId), list instances.
group = call("instanceGroupManagers", "get", project=PROJECT, zone=ZONE, instanceGroupManager=IGM)
assert group["targetSize"] == 3, group
request_id = str(uuid.uuid4())
op = call("instanceGroupManagers", "resize", project=PROJECT, zone=ZONE, instanceGroupManager=IGM, size=5, requestId=request_id)
assert op["clientOperationId"] == request_id
done = wait(op)
replayed = call("instanceGroupManagers", "resize", project=PROJECT, zone=ZONE, instanceGroupManager=IGM, size=5, requestId=request_id)
assert replayed["name"] == done["name"], (replayed, done)
listed = call("instanceGroupManagers", "listManagedInstances", project=PROJECT, zone=ZONE, instanceGroupManager=IGM)
assert len(listed["managedInstances"]) == 5, listed
assert {i["currentAction"] for i in listed["managedInstances"]} <= {"NONE", "CREATING", "VERIFYING"}
call("instanceGroupManagers", "list", project=PROJECT, zone=ZONE)

# Backend service: patch the capacity scaler with the fingerprint; stale gives 412.
service = call("backendServices", "get", project=PROJECT, backendService=BS)
backends = service["backends"]
backends[0]["capacityScaler"] = 0.7
body = {"fingerprint": service["fingerprint"], "backends": backends}
wait(call("backendServices", "patch", project=PROJECT, backendService=BS, body=body, requestId=str(uuid.uuid4())))
patched = call("backendServices", "get", project=PROJECT, backendService=BS)
assert patched["backends"][0]["capacityScaler"] == 0.7, patched
assert patched["fingerprint"] != service["fingerprint"]
expect_http_error(412, "conditionNotMet", lambda: call("backendServices", "patch", project=PROJECT, backendService=BS, body=body))
health = call("backendServices", "getHealth", project=PROJECT, backendService=BS, body={"group": group["instanceGroup"]})
assert len(health["healthStatus"]) >= 3, health

# The rest of the seed chain, and a create / delete round trip.
for collection in ("instanceTemplates", "healthChecks", "backendServices", "urlMaps", "targetHttpProxies", "globalForwardingRules"):
    items = call(collection, "list", project=PROJECT).get("items", [])
    assert len(items) == 1, (collection, items)
wait(call("healthChecks", "insert", project=PROJECT, body={"name": "extra-check", "type": "HTTP", "httpHealthCheck": {"port": 8080}}))
call("healthChecks", "get", project=PROJECT, healthCheck="extra-check")
wait(call("healthChecks", "delete", project=PROJECT, healthCheck="extra-check"))
expect_http_error(404, "notFound", lambda: call("healthChecks", "get", project=PROJECT, healthCheck="extra-check"))

# A stockout leaves new instances CREATING with lastAttempt errors.
admin("/fulcrum-sim/faults", {"stockout": True})
wait(call("instanceGroupManagers", "resize", project=PROJECT, zone=ZONE, instanceGroupManager=IGM, size=6, requestId=str(uuid.uuid4())))
listed = call("instanceGroupManagers", "listManagedInstances", project=PROJECT, zone=ZONE, instanceGroupManager=IGM)
failing = [i for i in listed["managedInstances"] if "lastAttempt" in i]
assert len(failing) == 1, listed
assert failing[0]["lastAttempt"]["errors"]["errors"][0]["code"] == "ZONE_RESOURCE_POOL_EXHAUSTED", failing
assert failing[0]["currentAction"] == "CREATING" and "instanceStatus" not in failing[0], failing
admin("/fulcrum-sim/faults", {})

# Regional groups; an autoscaled one refuses a hand resize with 412.
REGION = ZONE.rsplit("-", 1)[0]
wait(call("regionInstanceGroupManagers", "insert", project=PROJECT, region=REGION,
          body={"name": "tf-train", "baseInstanceName": "tf-train", "targetSize": 1}))
wait(call("regionInstanceGroupManagers", "resize", project=PROJECT, region=REGION, instanceGroupManager="tf-train", size=2))
regional = call("regionInstanceGroupManagers", "listManagedInstances", project=PROJECT, region=REGION, instanceGroupManager="tf-train")
assert len(regional["managedInstances"]) == 2, regional
train = call("regionInstanceGroupManagers", "get", project=PROJECT, region=REGION, instanceGroupManager="tf-train")
wait(call("regionAutoscalers", "insert", project=PROJECT, region=REGION,
          body={"name": "tf-train-as", "target": train["selfLink"], "autoscalingPolicy": {"minNumReplicas": 1, "maxNumReplicas": 4}}))
wait(call("regionAutoscalers", "patch", project=PROJECT, region=REGION, autoscaler="tf-train-as",
          body={"autoscalingPolicy": {"minNumReplicas": 1, "maxNumReplicas": 8}}))
autoscaler = call("regionAutoscalers", "get", project=PROJECT, region=REGION, autoscaler="tf-train-as")
assert autoscaler["autoscalingPolicy"]["maxNumReplicas"] == 8, autoscaler
train = call("regionInstanceGroupManagers", "get", project=PROJECT, region=REGION, instanceGroupManager="tf-train")
assert train["status"]["autoscaler"] == autoscaler["selfLink"], train
expect_http_error(412, "conditionNotMet", lambda: call(
    "regionInstanceGroupManagers", "resize", project=PROJECT, region=REGION, instanceGroupManager="tf-train", size=3))

# Paging, walked with the client's own `*_next`: a PAGINATED group's instances
# and a plain collection; a PAGELESS group ignores maxResults.
def walk(collection, list_method, key, **params):
    resource = getattr(SVC, collection)()
    request = getattr(resource, list_method)(**params)
    pages, items = 0, []
    while request is not None:
        page = request.execute()
        check(page, method(collection, list_method)["response"], f"{collection}.{list_method} page {pages}")
        pages += 1
        items.extend(page.get(key, []))
        request = getattr(resource, list_method + "_next")(request, page)
    return pages, items


wait(call("instanceGroupManagers", "insert", project=PROJECT, zone=ZONE,
          body={"name": "tf-batch", "baseInstanceName": "tf-batch", "targetSize": 5, "listManagedInstancesResults": "PAGINATED"}))
batch = call("instanceGroupManagers", "get", project=PROJECT, zone=ZONE, instanceGroupManager="tf-batch")
assert batch["listManagedInstancesResults"] == "PAGINATED", batch
pages, instances = walk("instanceGroupManagers", "listManagedInstances", "managedInstances",
                        project=PROJECT, zone=ZONE, instanceGroupManager="tf-batch", maxResults=2)
assert pages == 3 and len({i["instance"] for i in instances}) == 5, (pages, instances)
for n in (1, 2):
    wait(call("healthChecks", "insert", project=PROJECT, body={"name": f"page-check-{n}", "type": "HTTP", "httpHealthCheck": {"port": 8080}}))
pages, checks = walk("healthChecks", "list", "items", project=PROJECT, maxResults=2)
assert pages == 2 and len({c["name"] for c in checks}) == 3, (pages, checks)
whole = call("instanceGroupManagers", "listManagedInstances", project=PROJECT, zone=ZONE, instanceGroupManager=IGM, maxResults=1)
assert "nextPageToken" not in whole and len(whole["managedInstances"]) == 6, whole
expect_http_error(400, "invalid", lambda: call("healthChecks", "list", project=PROJECT, pageToken="garbage"))

# A rate limit is retried by the client's own rules.
admin("/fulcrum-sim/faults", {"rate_limited": 1})
call("instanceGroupManagers", "get", num_retries=3, project=PROJECT, zone=ZONE, instanceGroupManager=IGM)

if PROBLEMS:
    print("schema problems:\n" + "\n".join(PROBLEMS))
    sys.exit(1)
print("conformance OK")
