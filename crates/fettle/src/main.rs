//! The `fettle` command (being written).
fn main() {}
