//! Test component: an ordinary WASI command (it exports `wasi:cli/run`, not
//! the policy world), so the host can check it is refused with the reason.

fn main() {
    println!("not a policy");
}
