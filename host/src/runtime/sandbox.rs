//! The WASI context of one evaluation: no environment, arguments, stdin or
//! preopened directories; sockets that may be created but reach nothing (no
//! TCP, UDP or name lookup, every address denied); stdout and stderr into the
//! policy's log; clocks that read the snapshot's time and random numbers from
//! a generator seeded per evaluation, unless granted.

use std::time::Duration;

use rand::SeedableRng;
use rand::rngs::StdRng;
use wasmtime_wasi::{FsPerms, HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxBuilder};

use super::capabilities::{Capabilities, DATA_DIR_GUEST_PATH};
use super::host::{GuestOutput, Stream};

/// What a deterministic sandbox is pinned to for one evaluation.
pub(crate) struct Pinned {
    /// The snapshot's time, milliseconds since the Unix epoch.
    pub time_ms: u64,
    /// Seed of the policy's random numbers.
    pub seed: u64,
}

pub(crate) fn wasi_ctx(
    capabilities: &Capabilities,
    pinned: &Pinned,
    output: &GuestOutput,
) -> anyhow::Result<WasiCtx> {
    let mut builder = WasiCtxBuilder::new();
    builder
        .stdout(output.stream(Stream::Stdout))
        .stderr(output.stream(Stream::Stderr))
        .allow_tcp(false)
        .allow_udp(false)
        .allow_ip_name_lookup(false)
        .socket_addr_check(|_, _| Box::pin(async { false }));
    if !capabilities.clocks {
        builder
            .wall_clock(SnapshotWallClock(Duration::from_millis(pinned.time_ms)))
            .monotonic_clock(SnapshotMonotonicClock(
                pinned.time_ms.saturating_mul(1_000_000),
            ));
    }
    if !capabilities.random {
        builder
            .secure_random(StdRng::seed_from_u64(pinned.seed))
            .insecure_random(StdRng::seed_from_u64(pinned.seed.rotate_left(32)))
            .insecure_random_seed(u128::from(pinned.seed));
    }
    if let Some(dir) = &capabilities.data_dir {
        builder
            .preopened_dir(dir, DATA_DIR_GUEST_PATH, FsPerms::ReadOnly)
            .map_err(|err| {
                anyhow::anyhow!("cannot open data directory {}: {err}", dir.display())
            })?;
    }
    Ok(builder.build())
}

/// A wall clock stopped at the snapshot's time.
struct SnapshotWallClock(Duration);

impl HostWallClock for SnapshotWallClock {
    fn resolution(&self) -> Duration {
        Duration::from_millis(1)
    }
    fn now(&self) -> Duration {
        self.0
    }
}

/// A monotonic clock stopped at the snapshot's time, in nanoseconds.
struct SnapshotMonotonicClock(u64);

impl HostMonotonicClock for SnapshotMonotonicClock {
    fn resolution(&self) -> u64 {
        1_000_000
    }
    fn now(&self) -> u64 {
        self.0
    }
}
