//! The nvidia-smi MIG captures, read through the nvidia-smi source's public
//! parser, hold the instances the MIG geometry expects: a valid H100 layout.

use std::path::{Path, PathBuf};

use fulcrum_host::sources::nvidia_smi::parse_list;
use fulcrum_mig::GpuModel;
use fulcrum_mig::place;

fn fixture(name: &str) -> String {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/nvidia-smi")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

#[test]
fn the_h100_mig_listing_is_a_valid_h100_layout() {
    let gpus = parse_list("h100-mig__list.txt", &fixture("h100-mig__list.txt")).unwrap();
    assert_eq!(gpus.len(), 1);
    let gpu = &gpus[0];
    let model = GpuModel::from_name(&gpu.name).expect("an H100 has a MIG table");
    assert_eq!(model, GpuModel::H100_80);
    let profiles: Vec<&str> = gpu.mig_devices.iter().map(|d| d.profile.as_str()).collect();
    assert_eq!(profiles, ["3g.40gb", "2g.20gb", "1g.10gb", "1g.10gb"]);
    let indices: Vec<u32> = gpu.mig_devices.iter().map(|d| d.device_index).collect();
    assert_eq!(indices, [0, 1, 2, 3]);
    assert!(gpu.mig_devices.iter().all(|d| d.uuid.starts_with("MIG-")));
    let placed = place(model, profiles.iter().map(|&p| (p, 1))).unwrap();
    assert_eq!(placed.len(), 4);
}

#[test]
fn the_h100_listing_without_mig_has_no_instances() {
    let gpus = parse_list("h100__list.txt", &fixture("h100__list.txt")).unwrap();
    assert!(gpus.iter().all(|g| g.mig_devices.is_empty()));
    assert!(
        gpus.iter()
            .all(|g| GpuModel::from_name(&g.name) == Some(GpuModel::H100_80))
    );
}
