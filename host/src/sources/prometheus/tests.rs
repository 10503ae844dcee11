use super::api::{Series, read_answer};
use super::*;

const URL: &str = "http://127.0.0.1:9090/api/v1/query?query=DCGM_FI_DEV_GPU_TEMP";

fn answer(body: &str) -> Result<Vec<Series>, PrometheusError> {
    read_answer(URL, 200, body.as_bytes())
}

#[test]
fn reads_an_instant_vector() {
    let series = answer(
        r#"{"status":"success","data":{"resultType":"vector","result":[
            {"metric":{"__name__":"DCGM_FI_DEV_GPU_TEMP","gpu":"0","instance":"127.0.1.1:9400"},
             "value":[1767225600.5,"61"]},
            {"metric":{"gpu":"1"},"value":[1767225600,"NaN"]}]}}"#,
    )
    .unwrap();
    assert_eq!(series.len(), 2);
    assert_eq!(series[0].labels["instance"], "127.0.1.1:9400");
    assert_eq!(series[0].time_ms, 1_767_225_600_500);
    assert_eq!(series[0].value, 61.0);
    assert!(series[1].value.is_nan());
}

#[test]
fn errors_name_the_query_and_the_reason() {
    let error = read_answer(
        URL,
        400,
        br#"{"status":"error","errorType":"bad_data","error":"parse error at char 5"}"#,
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("{URL}: query failed (HTTP 400, bad_data): parse error at char 5")
    );
    let error = read_answer(URL, 502, b"<html>Bad Gateway</html>").unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("{URL}: answered HTTP 502: <html>Bad Gateway</html>")
    );
    let error = answer(r#"{"status":"success","data":{"resultType":"scalar","result":[1,"2"]}}"#)
        .unwrap_err();
    assert!(
        error
            .to_string()
            .ends_with("gave a scalar, not an instant vector"),
        "{error}"
    );
    let error = answer(r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"hot"]}]}}"#)
        .unwrap_err();
    assert!(
        error
            .to_string()
            .ends_with("series 1: value `hot` is not a number"),
        "{error}"
    );
    let error = answer("# HELP not json").unwrap_err();
    assert!(
        error.to_string().contains("not the query API's JSON"),
        "{error}"
    );
}

fn series(labels: &[(&str, &str)], value: f64) -> Series {
    Series {
        labels: labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        time_ms: 1_000,
        value,
    }
}

#[test]
fn series_are_grouped_by_node_and_read_as_dcgm_fields() {
    let gpu = |instance: &str, host: &str| {
        vec![
            ("instance", instance.to_owned()),
            ("Hostname", host.to_owned()),
            ("gpu", "0".to_owned()),
            ("UUID", format!("GPU-{host}")),
        ]
    };
    let labels =
        |pairs: &Vec<(&'static str, String)>| -> Vec<(&'static str, String)> { pairs.clone() };
    let to_series = |pairs: Vec<(&str, String)>, value| Series {
        labels: pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        time_ms: 2_000,
        value,
    };
    let a = gpu("127.0.1.1:9400", "node-a");
    let b = gpu("127.0.1.2:9400", "node-b");
    let mut mig = labels(&a);
    mig.push(("GPU_I_ID", "3".to_owned()));
    mig.push(("GPU_I_PROFILE", "1g.10gb".to_owned()));
    let answers = vec![
        (
            "DCGM_FI_PROF_GR_ENGINE_ACTIVE",
            "q1".to_owned(),
            vec![
                to_series(labels(&a), 0.25),
                to_series(mig, 0.5),
                to_series(labels(&b), 2.0),
            ],
        ),
        (
            "DCGM_FI_DEV_FB_USED",
            "q2".to_owned(),
            vec![to_series(labels(&a), 1024.0), series(&[("gpu", "0")], 1.0)],
        ),
    ];
    let read = group("endpoint", JoinBy::Address, "instance", &answers);
    assert_eq!(read.nodes.len(), 2);
    let node_a = &read.nodes[0];
    assert_eq!(node_a.key, "127.0.1.1");
    assert_eq!(node_a.newest_ms, 2_000);
    assert_eq!(node_a.readings.gpus[0].utilization, 0.25);
    assert_eq!(node_a.readings.gpus[0].memory_used_mib, 1024.0);
    assert_eq!(node_a.readings.mig_instances[0].utilization, 0.5);
    assert_eq!(
        node_a.readings.mig_instances[0]
            .mig
            .as_ref()
            .unwrap()
            .instance_id,
        3
    );
    // Out of range on node b: a warning there, not an error for the source.
    let node_b = &read.nodes[1];
    assert!(node_b.readings.gpus[0].utilization.is_nan());
    assert_eq!(node_b.readings.warnings.len(), 1);
    assert!(
        node_b.readings.warnings[0]
            .to_string()
            .starts_with("endpoint:3: DCGM_FI_PROF_GR_ENGINE_ACTIVE")
    );
    assert_eq!(read.errors.len(), 1);
    assert_eq!(
        read.errors[0].to_string(),
        "q2: 1 series have no `instance` label to find their node by; ignored"
    );

    let read = group("endpoint", JoinBy::Hostname, "instance", &answers);
    let keys: Vec<&str> = read.nodes.iter().map(|node| node.key.as_str()).collect();
    assert_eq!(keys, ["node-a", "node-b"]);
}

#[test]
fn host_of_strips_the_port() {
    assert_eq!(host_of("127.0.1.5:9400"), "127.0.1.5");
    assert_eq!(host_of("[::1]:9400"), "::1");
    assert_eq!(host_of("gpu-node"), "gpu-node");
    assert_eq!(host_of("::1"), "::1");
}
