//! The statements that stay runtime are checked against the migrated schema before a user can run
//! them. Static SQL is written in `sqlx::query!` and friends, which PostgreSQL describes at build
//! time (`.sqlx/`, `scripts/sqlx.sh check`); what is left is each statement written as a string
//! outside a macro (the decide workflow's per-kind `LOCK` and `CHANGE` constants): each is
//! prepared (`describe`) on a fresh database, so a renamed column fails the test command, not a
//! request. Query builders that assemble a statement from pieces (the employee list, the audit
//! log) are exercised by the HTTP tests instead.

use std::path::Path;

use sqlx::{Executor as _, PgPool};

/// The string literals of a Rust source file (normal and raw) that stand outside any macro call
/// (`name!(…)`: the checked query macros, the column-list macros built on them, `format!`), with
/// the text just before each.
fn literals(src: &str) -> Vec<(String, String)> {
    let b = src.as_bytes();
    let mut out = vec![];
    // Per open parenthesis: whether it opens a macro call.
    let mut parens: Vec<bool> = vec![];
    let mut i = 0;
    while i < b.len() {
        let in_macro = parens.contains(&true);
        match b[i] {
            b'(' => {
                let before = src[..i].trim_end();
                parens.push(before.ends_with('!'));
                i += 1;
            }
            b')' => {
                parens.pop();
                i += 1;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'\'' => {
                // A char literal ('x', '\n', '"') or a lifetime ('a).
                if b.get(i + 1) == Some(&b'\\') {
                    i += 2;
                    while i < b.len() && b[i] != b'\'' {
                        i += 1;
                    }
                    i += 1;
                } else if b.get(i + 2) == Some(&b'\'') {
                    i += 3;
                } else {
                    i += 1;
                }
            }
            b'r' if (b.get(i + 1) == Some(&b'"') || b.get(i + 1) == Some(&b'#'))
                && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) =>
            {
                let mut j = i + 1;
                let mut hashes = 0;
                while b.get(j) == Some(&b'#') {
                    hashes += 1;
                    j += 1;
                }
                if b.get(j) != Some(&b'"') {
                    i += 1;
                    continue;
                }
                let close = format!("\"{}", "#".repeat(hashes));
                let start = j + 1;
                let end = src[start..].find(&close).map(|e| start + e).unwrap_or(b.len());
                if !in_macro {
                    out.push((src[i.saturating_sub(60)..i].to_string(), src[start..end].to_string()));
                }
                i = end + close.len();
            }
            b'"' => {
                let mut s = String::new();
                let mut j = i + 1;
                while j < b.len() && b[j] != b'"' {
                    if b[j] == b'\\' {
                        match b.get(j + 1) {
                            Some(b'\n') => {
                                j += 2;
                                while j < b.len() && (b[j] as char).is_whitespace() {
                                    j += 1;
                                }
                                continue;
                            }
                            Some(b'n') => s.push('\n'),
                            Some(b't') => s.push('\t'),
                            Some(&c) => s.push(c as char),
                            None => {}
                        }
                        j += 2;
                    } else {
                        let ch = src[j..].chars().next().unwrap_or(' ');
                        s.push(ch);
                        j += ch.len_utf8();
                    }
                }
                let mut from = i.saturating_sub(60);
                while !src.is_char_boundary(from) {
                    from -= 1;
                }
                if !in_macro {
                    out.push((src[from..i].to_string(), s));
                }
                i = j + 1;
            }
            _ => i += 1,
        }
    }
    out
}

fn is_statement(sql: &str) -> bool {
    let t = sql.trim_start();
    ["select", "insert", "update", "delete", "with"]
        .iter()
        .any(|k| t.starts_with(k) && t[k.len()..].starts_with(|c: char| c.is_whitespace()))
}

/// Pieces of statements built at run time (query builders), not statements of their own.
fn is_fragment(before: &str) -> bool {
    let b = before.trim_end();
    b.ends_with("QueryBuilder::new(")
        || b.ends_with(".push(")
        || b.ends_with("const SELECT: &str =")
        || b.ends_with("format!(")
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src").flatten() {
        let p = entry.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn the_scanner_finds_statements_and_skips_fragments() {
    let src = r####"let a = sqlx::query("select 1 from x where y = 'it''s'"); let c = '"'; // "select nope"
        let b = QueryBuilder::new("select e.id"); let r = r#"update t set a = "b""#;
        let m = sqlx::query!("select checked", (x)); let n = rows!("with x as (", " select");"####;
    let found: Vec<String> =
        literals(src).into_iter().filter(|(b, s)| is_statement(s) && !is_fragment(b)).map(|(_, s)| s).collect();
    assert_eq!(found, vec!["select 1 from x where y = 'it''s'".to_string(), "update t set a = \"b\"".to_string()]);
}

#[sqlx::test]
async fn every_static_query_matches_the_schema(pool: PgPool) {
    // The schema every start leaves: the migrations (run by `sqlx::test`) and the rules.
    cakap::app::rules::apply(&pool).await.expect("apply the rules");
    let mut files = vec![];
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
    files.sort();
    let mut checked = 0;
    let mut failures = vec![];
    for file in &files {
        let src = std::fs::read_to_string(file).expect("read file");
        for (before, sql) in literals(&src) {
            if !is_statement(&sql) || is_fragment(&before) {
                continue;
            }
            checked += 1;
            if let Err(e) = pool.describe(&sql).await {
                let name = file.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(file).display().to_string();
                failures.push(format!("{name}: {e}\n    {}", sql.split_whitespace().collect::<Vec<_>>().join(" ")));
            }
        }
    }
    // The decide workflow's kinds: a row lock and a status change each.
    assert!(checked >= 8, "only {checked} statements found: is the scanner broken?");
    assert!(
        failures.is_empty(),
        "{} of {checked} statements do not match the schema:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The functions every commit runs keep their plans per connection where that was measured to
/// matter (migration 90: `refresh_gap_facts` planned afresh at every call took twice as long;
/// migrations 91-92: the re-assessments', the levels' and the unit facts' refreshes). A `create or
/// replace` without the setting would drop it silently. The small functions the triggers and
/// every page call are PL/pgSQL, whose statements are planned once per connection: as SQL
/// functions that cannot be inlined (or with EXECUTE) they were planned at every call, a fifth of
/// the database's time under 16 writers.
#[sqlx::test]
async fn the_commits_refreshes_plan_once_per_connection(pool: PgPool) {
    cakap::app::rules::apply(&pool).await.expect("apply the rules");
    for f in ["refresh_gap_facts", "store_unit_gap_facts", "refresh_reassessment_candidates", "refresh_current_levels"]
    {
        let config: Vec<Option<Vec<String>>> = sqlx::query_scalar("select proconfig from pg_proc where proname = $1")
            .bind(f)
            .fetch_all(&pool)
            .await
            .expect(f);
        assert_eq!(config, vec![Some(vec!["plan_cache_mode=force_generic_plan".to_string()])], "{f}");
    }
    for f in ["note_row_scopes", "scope_keys", "agency_time_zone", "records_version"] {
        let lang: Vec<String> = sqlx::query_scalar(
            "select l.lanname::text from pg_proc p join pg_language l on l.oid = p.prolang where p.proname = $1",
        )
        .bind(f)
        .fetch_all(&pool)
        .await
        .expect(f);
        assert_eq!(lang, vec!["plpgsql".to_string()], "{f}");
        let dynamic: bool = sqlx::query_scalar("select prosrc ~* '\\mexecute\\M' from pg_proc where proname = $1")
            .bind(f)
            .fetch_one(&pool)
            .await
            .expect(f);
        assert!(!dynamic, "{f} runs no dynamic SQL");
    }
}
