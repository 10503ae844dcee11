//! Reading a snapshot back from its JSON form (`host snapshot --json`, a
//! recorded cycle). JSON has no NaN, so a reading that was not reported is
//! written as `null`; this puts each `null` of a number column back as NaN,
//! so a snapshot reads back exactly as it was written.

use serde_json::Value;

use super::snapshot::Snapshot;

/// The snapshot `value` holds, `null` readings read as NaN.
pub fn snapshot_from_json(mut value: Value) -> Result<Snapshot, serde_json::Error> {
    let mut holes = Vec::new();
    if let Some(tables) = value.as_object_mut() {
        for (table, columns) in tables.iter_mut() {
            let Some(columns) = columns.as_object_mut() else {
                continue;
            };
            for (column, cells) in columns.iter_mut() {
                let Some(cells) = cells.as_array_mut() else {
                    continue;
                };
                for (row, cell) in cells.iter_mut().enumerate() {
                    if cell.is_null() {
                        holes.push((table.clone(), column.clone(), row));
                        *cell = Value::from(0);
                    }
                }
            }
        }
    }
    let mut snapshot: Snapshot = serde_json::from_value(value)?;
    for (table, column, row) in holes {
        let not_a_float = || {
            <serde_json::Error as serde::de::Error>::custom(format!(
                "{table}.{column}[{row}] is null, but only readings may be"
            ))
        };
        if (table.as_str(), column.as_str()) == ("signals", "value") {
            snapshot.signals.value[row] = f64::NAN;
            continue;
        }
        let cells = readings(&mut snapshot, &table, &column).ok_or_else(not_a_float)?;
        cells[row] = f32::NAN;
    }
    Ok(snapshot)
}

/// The `f32` column `table.column`, as the JSON names it.
fn readings<'a>(s: &'a mut Snapshot, table: &str, column: &str) -> Option<&'a mut Vec<f32>> {
    Some(match (table, column) {
        ("gpus", "utilization") => &mut s.gpus.utilization,
        ("gpus", "tensor_activity") => &mut s.gpus.tensor_activity,
        ("gpus", "memory_used_mib") => &mut s.gpus.memory_used_mib,
        ("gpus", "memory_total_mib") => &mut s.gpus.memory_total_mib,
        ("gpus", "temperature_c") => &mut s.gpus.temperature_c,
        ("gpus", "power_w") => &mut s.gpus.power_w,
        ("gpus", "power_limit_w") => &mut s.gpus.power_limit_w,
        ("mig_instances", "utilization") => &mut s.mig_instances.utilization,
        ("mig_instances", "memory_used_mib") => &mut s.mig_instances.memory_used_mib,
        ("mig_instances", "memory_total_mib") => &mut s.mig_instances.memory_total_mib,
        ("instance_groups", "capacity_scaler") => &mut s.instance_groups.capacity_scaler,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{GpuSample, GroupSample, Health, NodeSample, SnapshotBuilder};

    #[test]
    fn unreported_readings_read_back_as_nan() {
        let mut builder = SnapshotBuilder::new();
        let node = NodeSample {
            name: "n1",
            address: "127.0.1.1",
            health: Health::Healthy,
            telemetry_age_ms: 0,
            stale: false,
            labels: &[],
        };
        let gpu = GpuSample {
            index: 0,
            uuid: "",
            model: "NVIDIA H100 80GB HBM3",
            utilization: f32::NAN,
            tensor_activity: 0.5,
            memory_used_mib: f32::NAN,
            memory_total_mib: 81_559.0,
            temperature_c: 40.0,
            power_w: f32::NAN,
            power_limit_w: 700.0,
            throttled: false,
            last_xid: 0,
            health: Health::Healthy,
            mig: None,
        };
        builder.node(&node, &[gpu]);
        builder.instance_group(
            &GroupSample {
                name: "g",
                location: "z",
                target_size: 1,
                current_size: 1,
                min_size: 0,
                max_size: 2,
                backend: None,
            },
            &[],
        );
        builder.signal("queue-depth", f64::NAN);
        let snapshot = builder.build(3, 9);
        let json = serde_json::to_value(&snapshot).unwrap();
        assert!(json["gpus"]["utilization"][0].is_null());
        let back = snapshot_from_json(json).unwrap();
        assert!(back.gpus.utilization[0].is_nan());
        assert!(back.gpus.power_w[0].is_nan());
        assert_eq!(back.gpus.tensor_activity[0], 0.5);
        assert!(back.instance_groups.capacity_scaler[0].is_nan());
        assert!(back.signals.value[0].is_nan());
        // Everything else is as written.
        let (mut a, mut b) = (
            serde_json::to_value(&snapshot).unwrap(),
            serde_json::to_value(&back).unwrap(),
        );
        a["gpus"].take();
        b["gpus"].take();
        assert_eq!(a, b);
    }

    #[test]
    fn null_where_no_reading_belongs_is_an_error() {
        let mut json = serde_json::to_value(Snapshot::empty()).unwrap();
        json["members"]["ratio"] = serde_json::json!([null]);
        let error = snapshot_from_json(json).unwrap_err().to_string();
        assert!(error.contains("members.ratio[0] is null"), "{error}");
    }
}
