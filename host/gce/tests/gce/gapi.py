"""Shared by the google-api-python-client scripts: a client for the Fulcrum GCE
simulator that checks every request body and response against the bundled
compute.v1.json discovery document. Scripts take API_ENDPOINT ADMIN_ROOT
PROJECT ZONE as arguments."""

import json
import os
import sys
import urllib.request

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


def walk(collection, list_method, key, **params):
    """Pages a list with the client's own `*_next`, checking each page;
    returns the page count and the items under `key` (for an aggregated list,
    the objects of every scope)."""
    resource = getattr(SVC, collection)()
    request = getattr(resource, list_method)(**params)
    pages, items = 0, []
    while request is not None:
        page = request.execute()
        check(page, method(collection, list_method)["response"], f"{collection}.{list_method} page {pages}")
        pages += 1
        found = page.get(key, [])
        if isinstance(found, dict):
            found = [item for scoped in found.values() for item in scoped.get(collection, [])]
        items.extend(found)
        request = getattr(resource, list_method + "_next")(request, page)
    return pages, items


def finish(name):
    """Reports schema problems, or success."""
    if PROBLEMS:
        print("schema problems:\n" + "\n".join(PROBLEMS))
        sys.exit(1)
    print(f"{name} OK")
