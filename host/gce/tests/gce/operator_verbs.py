"""Drives what an operator's tools call on the Fulcrum GCE simulator through
google-api-python-client: the aggregated lists behind the Cloud CLI's
`url-maps list`, `instance-templates list` and `health-checks list`, paged
with `aggregatedList_next`, and the group verbs recreateInstances,
deleteInstances, abandonInstances and setInstanceTemplate, each waited on.
Every call is checked against compute.v1.json (see gapi.py). Usage:
operator_verbs.py API_ENDPOINT ADMIN_ROOT PROJECT ZONE."""

from gapi import PROJECT, ZONE, call, expect_http_error, finish, wait, walk

IGM = "tf-instance-group-manager"
REGION = ZONE.rsplit("-", 1)[0]

# Aggregated lists: one global object each, an empty region warned, then paging.
for collection, kind in (("urlMaps", "compute#urlMapsAggregatedList"),
                         ("instanceTemplates", "compute#instanceTemplateAggregatedList"),
                         ("healthChecks", "compute#healthChecksAggregatedList")):
    listed = call(collection, "aggregatedList", project=PROJECT, includeAllScopes=True)
    assert listed["kind"] == kind, listed
    assert len(listed["items"]["global"][collection]) == 1, listed
    assert listed["items"][f"regions/{REGION}"]["warning"]["code"] == "NO_RESULTS_ON_PAGE", listed
for n in (1, 2):
    wait(call("healthChecks", "insert", project=PROJECT, body={"name": f"agg-check-{n}", "type": "HTTP", "httpHealthCheck": {"port": 8080}}))
pages, checks = walk("healthChecks", "aggregatedList", "items", project=PROJECT, maxResults=2)
assert pages == 2 and len({c["name"] for c in checks}) == 3, (pages, checks)
for collection in ("urlMaps", "instanceTemplates"):
    pages, found = walk(collection, "aggregatedList", "items", project=PROJECT, maxResults=1)
    assert pages == 1 and len(found) == 1, (collection, pages, found)


def members():
    listed = call("instanceGroupManagers", "listManagedInstances", project=PROJECT, zone=ZONE, instanceGroupManager=IGM)
    return listed["managedInstances"]


def group():
    return call("instanceGroupManagers", "get", project=PROJECT, zone=ZONE, instanceGroupManager=IGM)


def verb(name, body):
    return wait(call("instanceGroupManagers", name, project=PROJECT, zone=ZONE, instanceGroupManager=IGM, body=body))


# recreateInstances: same name, back through RECREATING; the size stays.
first = members()[0]
op = verb("recreateInstances", {"instances": [f"zones/{ZONE}/instances/{first['name']}"]})
assert op["operationType"] == "compute.instanceGroupManagers.recreateInstances", op
again = [i for i in members() if i["name"] == first["name"]]
assert len(again) == 1 and again[0]["id"] != first["id"], (first, again)
assert group()["targetSize"] == 3

# deleteInstances: the member goes, the target drops.
second = members()[1]
verb("deleteInstances", {"instances": [second["instance"]]})
assert group()["targetSize"] == 2
assert all(i["currentAction"] == "DELETING" for i in members() if i["name"] == second["name"])

# abandonInstances: out of the group, the VM stays.
third = [i for i in members() if i["currentAction"] != "DELETING" and i["name"] != first["name"]][0]
verb("abandonInstances", {"instances": [f"zones/{ZONE}/instances/{third['name']}"]})
assert group()["targetSize"] == 1
assert third["name"] not in {i["name"] for i in members()}
vm = call("instances", "get", project=PROJECT, zone=ZONE, instance=third["name"])
assert vm["status"] in ("RUNNING", "STAGING", "PROVISIONING"), vm

# setInstanceTemplate: the group changes, existing VMs keep theirs.
old_template = group()["instanceTemplate"]
wait(call("instanceTemplates", "insert", project=PROJECT, body={"name": "tf-template-v2", "properties": {"machineType": "n1-standard-8"}}))
new_template = call("instanceTemplates", "get", project=PROJECT, instanceTemplate="tf-template-v2")["selfLink"]
verb("setInstanceTemplate", {"instanceTemplate": new_template})
assert group()["instanceTemplate"] == new_template
kept = [i for i in members() if i["name"] == first["name"]][0]
assert kept["version"]["instanceTemplate"] == old_template, kept

# Unknown instances are refused, naming the field.
for name in ("recreateInstances", "deleteInstances", "abandonInstances"):
    expect_http_error(400, "invalid", lambda: call("instanceGroupManagers", name, project=PROJECT, zone=ZONE, instanceGroupManager=IGM,
                                                   body={"instances": [f"zones/{ZONE}/instances/no-such-vm"]}))

finish("operator verbs")
