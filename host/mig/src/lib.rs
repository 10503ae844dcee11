//! `fulcrum-mig`: the geometry of NVIDIA MIG (Multi-Instance GPU), shared by
//! the host, which checks and applies layouts, and the `mig-resize` policy,
//! which proposes them, so a layout the policy proposes is one the host
//! accepts. Only `std`, no I/O: it builds for `wasm32-wasip2` as well.
//!
//! - [`class`]: the slice grid and the placement classes on it;
//! - [`profiles`]: named profiles and each model's profile table;
//! - [`model`]: the GPU models with MIG, recognised by their reported names;
//! - [`placed`]: one instance at its place on the grid;
//! - [`place`](mod@place): a placement for a layout, or why there is none;
//! - [`check`]: whether a placement a GPU reports is a legal one;
//! - [`layouts`](mod@layouts): every layout a model accepts;
//! - [`error`]: why a layout or placement is not possible.
//!
//! ```
//! use fulcrum_mig::{GpuModel, place};
//!
//! let model = GpuModel::from_name("NVIDIA H100 80GB HBM3").unwrap();
//! let placed = place(model, [("3g.40gb", 1), ("1g.10gb", 4)]).unwrap();
//! assert_eq!(placed[0].profile.name, "3g.40gb");
//! assert!(place(model, [("7g.80gb", 1), ("1g.10gb", 1)]).is_err());
//! ```

#![warn(missing_docs)]

pub mod check;
pub mod class;
pub mod error;
pub mod layouts;
pub mod model;
pub mod place;
pub mod placed;
pub mod profiles;

pub use check::check_placed;
pub use class::{COMPUTE_SLICES, MEMORY_SLICES, ProfileClass};
pub use error::LayoutError;
pub use layouts::layouts;
pub use model::GpuModel;
pub use place::place;
pub use placed::Placed;
pub use profiles::Profile;
