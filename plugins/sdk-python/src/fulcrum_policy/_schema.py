"""The snapshot's shape in the contract (`wit/types.wit`): every table, its
columns in declaration order, and each column's element type.

The JSON loader, the test builder and the column adapter all read this one
table, so a column added to the contract is added here once.
"""

# Element types, named by their `struct` format: "B" u8 (enums and booleans),
# "H" u16, "I" u32 (rows, string ids, counts), "Q" u64, "f" f32, "d" f64.
TABLES = {
    "nodes": {
        "name": "I",
        "address": "I",
        "health": "B",
        "telemetry_age_ms": "I",
        "stale": "B",
        "gpu_start": "I",
        "label_start": "I",
    },
    "labels": {"node": "I", "key": "I", "value": "I"},
    "gpus": {
        "node": "I",
        "index": "I",
        "uuid_high": "Q",
        "uuid_low": "Q",
        "model": "I",
        "utilization": "f",
        "tensor_activity": "f",
        "memory_used_mib": "f",
        "memory_total_mib": "f",
        "temperature_c": "f",
        "power_w": "f",
        "power_limit_w": "f",
        "throttled": "B",
        "last_xid": "I",
        "health": "B",
        "mig_enabled": "B",
        "mig_start": "I",
    },
    "mig_instances": {
        "gpu": "I",
        "profile": "I",
        "instance_id": "I",
        "placement_start": "B",
        "placement_size": "B",
        "utilization": "f",
        "memory_used_mib": "f",
        "memory_total_mib": "f",
    },
    "pools": {
        "name": "I",
        "partition": "I",
        "load_balancing_mode": "I",
        "member_start": "I",
    },
    "members": {
        "pool": "I",
        "node": "I",
        "name": "I",
        "address": "I",
        "port": "H",
        "ratio": "I",
        "state": "B",
        "availability": "B",
        "current_connections": "I",
        "connection_limit": "I",
    },
    "instance_groups": {
        "name": "I",
        "location": "I",
        "target_size": "I",
        "current_size": "I",
        "min_size": "I",
        "max_size": "I",
        "backend_service": "I",
        "capacity_scaler": "f",
        "instance_start": "I",
    },
    "instances": {
        "group": "I",
        "node": "I",
        "name": "I",
        "status": "B",
        "action": "B",
        "serving": "B",
        "last_error": "I",
    },
    "signals": {"name": "I", "value": "d"},
}

# The "first child row" columns: (parent table, column) -> (child table, the
# child column naming the parent row).
CHILD_STARTS = {
    ("nodes", "gpu_start"): ("gpus", "node"),
    ("nodes", "label_start"): ("labels", "node"),
    ("gpus", "mig_start"): ("mig_instances", "gpu"),
    ("pools", "member_start"): ("members", "pool"),
    ("instance_groups", "instance_start"): ("instances", "group"),
}

# The value of an absent row or string id (`none` in the contract).
NONE = 0xFFFF_FFFF
