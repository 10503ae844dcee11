//! Test policy: `decide` breaks the canonical ABI on purpose, so the host can
//! check that a guest lying about its own memory traps or errors rather than
//! crashing or confusing the host.
//!
//! `wit-bindgen` embeds the world's component type (`wit/types.wit`), but the
//! exports are written by hand with their core signatures, because generated
//! exports cannot return malformed values:
//!
//! - `metadata() -> i32`: a pointer to the record (name `test-abi-breaker`,
//!   action kinds `[member-ratio]`);
//! - `configure(ptr: i32, len: i32) -> i32`: a pointer to the
//!   `result<_, string>`; takes `{"mode": …}` (default `"oob-pointer"`);
//! - `decide(snapshot: i32) -> i32`: the snapshot flattens to more than 16
//!   values, so it arrives as one pointer; the result is returned as a pointer
//!   to its return area, and what that holds depends on the mode:
//!   - `oob-pointer`: the return pointer itself is the end of memory;
//!   - `bad-discriminant`: the `result` discriminant is 7;
//!   - `list-past-memory`: `ok(decisions)` whose `member-ratios.member` list is
//!     longer than the memory it starts in;
//!   - `bad-utf8`: `ok(decisions)` whose reasons text is the bytes FF FE FD
//!     (offsets `[0, 3]`), used by one ratio row (member 0, ratio 10);
//! - `cabi_realloc`, which the host calls to place the settings and the
//!   snapshot in guest memory.
//!
//! There are no `cabi_post_*` exports: everything returned is static or leaked,
//! and an instance serves one evaluation.

/// The bindings, generated only for the component type they embed; the
/// generated `Guest` trait and `export!` macro are not used.
#[allow(unused_macros, reason = "the exports are written by hand")]
mod bindings {
    wit_bindgen::generate!({
        path: "../../../wit",
        world: "fulcrum:policy/policy",
    });
}

#[cfg(target_arch = "wasm32")]
mod abi;
