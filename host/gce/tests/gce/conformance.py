"""Drives the Fulcrum GCE simulator with google-api-python-client: groups,
backend services, the seed chain, faults, regional groups and paging, every
call checked against compute.v1.json (see gapi.py). Usage: conformance.py
API_ENDPOINT ADMIN_ROOT PROJECT ZONE."""

import uuid

from gapi import admin, call, expect_http_error, finish, PROJECT, wait, walk, ZONE

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

finish("conformance")
