// Rebuild when a migration or a rule file is added or changed: `sqlx::migrate!` and
// `include_str!` embed them at compile time.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=db/rules");
}
