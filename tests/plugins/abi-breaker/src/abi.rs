//! The hand-written core exports, in the canonical ABI's layout for
//! `fulcrum:policy@0.3.0` on 32-bit memory (every pointer and length is an
//! `i32`, every string and list a `(pointer, length)` pair).
//!
//! Why `unsafe`: this guest breaks the canonical ABI on purpose, so it cannot
//! use generated bindings; it exports raw functions (`export_name` is an
//! unsafe attribute because the names bypass Rust's symbol checks) and reads
//! the settings the host placed in its memory from a raw pointer.

#![allow(
    unsafe_code,
    reason = "this guest writes its canonical-ABI exports by hand to break the ABI on purpose"
)]

use std::alloc::{self, Layout};
use std::cell::Cell;

use serde::Deserialize;

/// Size of a WebAssembly memory page.
const PAGE: usize = 65_536;

/// The policy's metadata.
const NAME: &str = "test-abi-breaker";
const VERSION: &str = env!("CARGO_PKG_VERSION");
const DESCRIPTION: &str = "decide breaks the canonical ABI on purpose";
/// `[member-ratio]`: an enum is one byte, the case's position.
static KINDS: [u8; 1] = [0];

/// Bytes that are not UTF-8, and the offsets that make them one reason.
static BAD_TEXT: [u8; 3] = [0xff, 0xfe, 0xfd];
static BAD_OFFSETS: [u32; 2] = [0, 3];
/// Offsets of an empty reasons table.
static NO_REASONS: [u32; 1] = [0];
/// One-element `u32` columns.
static ZERO: [u32; 1] = [0];
static TEN: [u32; 1] = [10];

/// How `decide` breaks the ABI.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Mode {
    #[default]
    OobPointer,
    BadDiscriminant,
    ListPastMemory,
    BadUtf8,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    #[serde(default)]
    mode: Mode,
}

thread_local! {
    /// The mode `configure` took, waiting for `decide`.
    static MODE: Cell<Mode> = const { Cell::new(Mode::OobPointer) };
}

/// `metadata: func() -> metadata`.
#[unsafe(export_name = "metadata")]
extern "C" fn metadata() -> usize {
    // Keeps the generated component type section in the link.
    crate::bindings::__link_custom_section_describing_imports();
    return_area([
        addr(NAME.as_ptr()),
        len(NAME.len()),
        addr(VERSION.as_ptr()),
        len(VERSION.len()),
        addr(DESCRIPTION.as_ptr()),
        len(DESCRIPTION.len()),
        addr(KINDS.as_ptr()),
        len(KINDS.len()),
    ])
}

/// `configure: func(settings: string) -> result<_, string>`.
#[unsafe(export_name = "configure")]
extern "C" fn configure(settings: *const u8, settings_len: usize) -> usize {
    // SAFETY: the host placed `settings_len` bytes at `settings` with
    // `cabi_realloc` before calling, and they are ours from then on.
    let settings = unsafe { std::slice::from_raw_parts(settings, settings_len) };
    let parsed = std::str::from_utf8(settings)
        .map_err(|error| error.to_string())
        .and_then(|text| serde_json::from_str::<Settings>(text).map_err(|e| e.to_string()));
    match parsed {
        Ok(Settings { mode }) => {
            MODE.set(mode);
            return_area([0, 0, 0])
        }
        Err(error) => {
            let message: &'static str = format!("settings: {error}").leak();
            return_area([1, addr(message.as_ptr()), len(message.len())])
        }
    }
}

/// `decide: func(snapshot: snapshot) -> result<decisions, string>`.
///
/// The return area is the `result`'s discriminant (a byte, padded to 4) and
/// then `decisions`, 30 words: `reasons` (text, offsets), then the columns of
/// `member-states`, `member-ratios`, `capacity-scalers` and `group-sizes` (3
/// lists each), then `mig-layouts`.
#[unsafe(export_name = "decide")]
extern "C" fn decide(_snapshot: usize) -> usize {
    let end_of_memory = core::arch::wasm32::memory_size(0) * PAGE;
    let mut area = [0u32; 31];
    match MODE.get() {
        Mode::OobPointer => return end_of_memory,
        Mode::BadDiscriminant => area[0] = 7,
        Mode::ListPastMemory => {
            area[3..5].copy_from_slice(&[addr(NO_REASONS.as_ptr()), 1]);
            // member-ratios.member: starts inside memory, and its length
            // (in 4-byte rows) alone covers all of it.
            area[11..13].copy_from_slice(&[addr(ZERO.as_ptr()), len(end_of_memory / 4)]);
        }
        Mode::BadUtf8 => {
            area[1..5].copy_from_slice(&[
                addr(BAD_TEXT.as_ptr()),
                len(BAD_TEXT.len()),
                addr(BAD_OFFSETS.as_ptr()),
                len(BAD_OFFSETS.len()),
            ]);
            area[11..17].copy_from_slice(&[
                addr(ZERO.as_ptr()),
                1,
                addr(TEN.as_ptr()),
                1,
                addr(ZERO.as_ptr()),
                1,
            ]);
        }
    }
    return_area(area)
}

/// The allocator the host uses to place arguments in guest memory.
#[unsafe(export_name = "cabi_realloc")]
unsafe extern "C" fn cabi_realloc(
    old: *mut u8,
    old_len: usize,
    align: usize,
    new_len: usize,
) -> *mut u8 {
    if new_len == 0 {
        return std::ptr::without_provenance_mut(align);
    }
    // SAFETY: the canonical ABI passes a power-of-two `align`, and `old` is
    // null or an allocation this function made with `old_len` and `align`.
    let ptr = unsafe {
        if old_len == 0 {
            alloc::alloc(Layout::from_size_align_unchecked(new_len, align))
        } else {
            alloc::realloc(
                old,
                Layout::from_size_align_unchecked(old_len, align),
                new_len,
            )
        }
    };
    if ptr.is_null() {
        std::process::abort();
    }
    ptr
}

/// Leaks `words` and returns their address, a return area that stays valid
/// for the rest of the instance's life.
fn return_area<const N: usize>(words: [u32; N]) -> usize {
    Box::leak(Box::new(words)).as_ptr().addr()
}

/// An address in guest memory, as the ABI's `i32`.
fn addr<T>(ptr: *const T) -> u32 {
    ptr.addr() as u32
}

/// A length, as the ABI's `i32`.
fn len(len: usize) -> u32 {
    len as u32
}
