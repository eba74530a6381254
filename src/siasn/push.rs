//! Pushes as jobs in the queue (`siasn_pushes`, claimed `for update skip locked`, so any number of
//! nodes share it): check the record, read the employee's pnsOrangId once, upload the
//! certificate, save the record. A 5xx or a time-out is tried again with a doubling wait; a 4xx
//! is not. Each call is written to the record's log with what was sent and what SIASN answered.

use std::time::Duration;

use serde_json::{Value, json};
use sqlx::PgConnection;

use super::{
    client::{self, Failure},
    records::{self, Record, Selection},
};
use crate::{app::AppState, auth::Scope};

/// The document type the public clients use for certificates of both kinds.
pub const ID_REF_DOKUMEN: &str = "874";

/// Queue these results (only the complete ones; the caller checked its scope). A result sent
/// before is queued again and updates the same SIASN record. Returns the push ids.
pub async fn enqueue(
    conn: &mut PgConnection,
    participants: &[i64],
    account: Option<i64>,
) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        "insert into siasn_pushes (participant_id, kind, queued_by)
         select r.participant_id, r.kind, $2 from siasn_records r
         where r.participant_id = any($1) and cardinality(r.missing) = 0
         on conflict (participant_id) do update set status = 'queued', kind = excluded.kind, attempts = 0,
           next_attempt_at = now(), error_kind = null, error_detail = '', queued_by = excluded.queued_by, queued_at = now()
           where siasn_pushes.status <> 'running'
         returning id",
        participants,
        account,
    )
    .fetch_all(conn)
    .await
}

/// Wakes this node's worker when something is queued here.
pub fn wake() -> &'static tokio::sync::Notify {
    static WAKE: std::sync::OnceLock<tokio::sync::Notify> = std::sync::OnceLock::new();
    WAKE.get_or_init(tokio::sync::Notify::new)
}

struct Claimed {
    id: i64,
    participant_id: i64,
    attempts: i32,
    siasn_id: Option<String>,
    doc: Option<Value>,
    doc_file_id: Option<i64>,
    queued_by: Option<i64>,
}

async fn log(
    state: &AppState,
    c: &Claimed,
    step: &str,
    sent: Option<&Value>,
    http_status: Option<u16>,
    answer: &str,
    outcome: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into siasn_push_log (push_id, actor, step, attempt, sent, http_status, answer, outcome)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
        c.id,
        c.queued_by,
        step,
        c.attempts,
        sent,
        http_status.map(i32::from),
        answer.chars().take(4000).collect::<String>(),
        outcome,
    )
    .execute(&state.pool)
    .await?;
    Ok(())
}

async fn finish(state: &AppState, id: i64, kind: &str, detail: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update siasn_pushes set status = 'failed', error_kind = $2, error_detail = $3, worker = null where id = $1",
        id,
        kind,
        detail,
    )
    .execute(&state.pool)
    .await?;
    Ok(())
}

/// A failed call: tried again later (5xx, time-out) until the attempts run out, or refused (4xx).
async fn failed(
    state: &AppState,
    c: &Claimed,
    step: &str,
    sent: Option<&Value>,
    f: &Failure,
) -> Result<(), sqlx::Error> {
    let client = state.siasn.client();
    let (max, base) = client.map(|c| (c.settings.max_attempts, c.settings.retry_base)).unwrap_or((1, Duration::ZERO));
    match f {
        Failure::Rejected { status, message } => {
            log(state, c, step, sent, Some(*status), message, "rejected").await?;
            finish(state, c.id, "rejected", message).await
        }
        Failure::Retry { status, detail } if c.attempts < max => {
            log(state, c, step, sent, *status, detail, "retry").await?;
            let wait = base.saturating_mul(1u32 << (c.attempts - 1).clamp(0, 16) as u32);
            sqlx::query!(
                "update siasn_pushes set status = 'queued', worker = null, error_kind = 'unreachable', error_detail = $2,
                        next_attempt_at = now() + make_interval(secs => $3) where id = $1",
                c.id,
                detail,
                wait.as_secs_f64(),
            )
            .execute(&state.pool)
            .await?;
            Ok(())
        }
        Failure::Retry { status, detail } => {
            log(state, c, step, sent, *status, detail, "error").await?;
            finish(state, c.id, "unreachable", detail).await
        }
    }
}

/// The part of an answer that goes into `path[]` (upload-dok's `data`, or the answer itself).
fn document(json: &Value) -> Option<Value> {
    let d = json.get("data").filter(|d| d.is_object()).unwrap_or(json);
    let keys = ["dok_id", "dok_nama", "dok_uri", "object", "slug"];
    d.get("dok_uri").is_some().then(|| {
        json!(
            keys.iter()
                .map(|k| (k.to_string(), d.get(k).cloned().unwrap_or(Value::Null)))
                .collect::<serde_json::Map<_, _>>()
        )
    })
}

/// Claim the push due first and run it. Returns whether there was one.
pub async fn run_one(state: &AppState) -> Result<bool, sqlx::Error> {
    let worker =
        format!("{}:{}", std::fs::read_to_string("/etc/hostname").unwrap_or_default().trim(), std::process::id());
    let claimed: Option<Claimed> = sqlx::query_as!(
        Claimed,
        "update siasn_pushes p set status = 'running', started_at = now(), worker = $1, attempts = attempts + 1
         where p.id = (select id from siasn_pushes
                       where (status = 'queued' and next_attempt_at <= now())
                          or (status = 'running' and started_at < now() - interval '10 minutes')
                       order by next_attempt_at, id for update skip locked limit 1)
         returning p.id, p.participant_id, p.attempts, p.siasn_id, p.doc, p.doc_file_id, p.queued_by",
        worker,
    )
    .fetch_optional(&state.pool)
    .await?;
    let Some(c) = claimed else {
        return Ok(false);
    };
    run(state, &c).await?;
    Ok(true)
}

async fn run(state: &AppState, c: &Claimed) -> Result<(), sqlx::Error> {
    let Some(client) = state.siasn.client() else {
        log(state, c, "check", None, None, "", "error").await?;
        return finish(state, c.id, "config", "").await;
    };
    let mut conn = state.pool.acquire().await?;
    let all = Scope { all: true, own: None, unit_patterns: vec![] };
    let record: Option<Record> =
        records::select(&mut conn, &all, Selection { participant: Some(c.participant_id), ..Selection::default() })
            .await?
            .into_iter()
            .next();
    drop(conn);
    // Checked again when it runs: a record that lost a field meanwhile is never sent.
    let Some(r) = record else {
        log(state, c, "check", None, None, "not_passed", "missing").await?;
        return finish(state, c.id, "missing", "not_passed").await;
    };
    if !r.missing.is_empty() {
        let codes = r.missing.join(",");
        log(state, c, "check", None, None, &codes, "missing").await?;
        return finish(state, c.id, "missing", &codes).await;
    }
    // The employee's id in SIASN, read once.
    let mut pns = r.pns_orang_id.clone();
    if pns.is_empty() {
        let path = format!("/pns/data-utama/{}", r.nip);
        let sent = json!({ "GET": path });
        match client.get(&path).await {
            Ok(a) => match client::pns_orang_id(&a.json) {
                Some(id) => {
                    log(state, c, "pns", Some(&sent), Some(a.status), &a.body, "ok").await?;
                    sqlx::query!(
                        "insert into siasn_employees (employee_id, pns_orang_id) values ($1, $2)
                         on conflict (employee_id) do update set pns_orang_id = excluded.pns_orang_id, read_at = now()",
                        r.employee_id,
                        id,
                    )
                    .execute(&state.pool)
                    .await?;
                    pns = id;
                }
                None => {
                    let f = Failure::Rejected { status: a.status, message: client::message_of(&a.body) };
                    return failed(state, c, "pns", Some(&sent), &f).await;
                }
            },
            Err(f) => return failed(state, c, "pns", Some(&sent), &f).await,
        }
    }
    // The certificate, uploaded once per stored file.
    let doc = match (&c.doc, c.doc_file_id) {
        (Some(d), Some(f)) if Some(f) == r.certificate_file_id => d.clone(),
        _ => {
            let file = sqlx::query!(
                "select filename, content_type, data from evidence_files where id = $1",
                r.certificate_file_id,
            )
            .fetch_optional(&state.pool)
            .await?;
            let Some(file) = file else {
                log(state, c, "check", None, None, "berkas", "missing").await?;
                return finish(state, c.id, "missing", "berkas").await;
            };
            let (name, mime, bytes) = (file.filename, file.content_type, file.data);
            let sent = json!({ "id_ref_dokumen": ID_REF_DOKUMEN, "file": { "name": name, "size": bytes.len() } });
            match client.upload(ID_REF_DOKUMEN, &name, &mime, &bytes).await {
                Ok(a) => match document(&a.json) {
                    Some(d) => {
                        log(state, c, "upload", Some(&sent), Some(a.status), &a.body, "ok").await?;
                        sqlx::query!(
                            "update siasn_pushes set doc = $2, doc_file_id = $3 where id = $1",
                            c.id,
                            d,
                            r.certificate_file_id,
                        )
                        .execute(&state.pool)
                        .await?;
                        d
                    }
                    None => {
                        let f = Failure::Retry { status: Some(a.status), detail: client::message_of(&a.body) };
                        return failed(state, c, "upload", Some(&sent), &f).await;
                    }
                },
                Err(f) => return failed(state, c, "upload", Some(&sent), &f).await,
            }
        }
    };
    // The record itself: with its SIASN id when it was sent before, so SIASN updates it.
    let body = records::body(&r, &pns, &client.settings.instansi_id, c.siasn_id.as_deref(), Some(&doc));
    let path = if r.kind == "diklat" { "/diklat/save" } else { "/kursus/save" };
    match client.post_json(path, &body).await {
        Ok(a) => {
            let key = if r.kind == "diklat" { "rwDiklatId" } else { "rwKursusId" };
            let got = a.json.get("mapData").map(|m| client::text(m, key)).filter(|s| !s.is_empty());
            let Some(siasn_id) = got.or_else(|| c.siasn_id.clone()) else {
                let f = Failure::Rejected { status: a.status, message: client::message_of(&a.body) };
                return failed(state, c, "save", Some(&body), &f).await;
            };
            log(state, c, "save", Some(&body), Some(a.status), &a.body, "ok").await?;
            sqlx::query!(
                "update siasn_pushes set status = 'sent', siasn_id = $2, sent_at = now(), worker = null, error_kind = null,
                        error_detail = '' where id = $1",
                c.id,
                siasn_id,
            )
            .execute(&state.pool)
            .await?;
            tracing::info!(push = c.id, kind = %r.kind, "SIASN record saved");
            Ok(())
        }
        Err(f) => failed(state, c, "save", Some(&body), &f).await,
    }
}

/// Run every push that is due now (tests; the worker does this itself).
pub async fn run_due(state: &AppState) -> Result<usize, sqlx::Error> {
    let mut n = 0;
    while run_one(state).await? {
        n += 1;
    }
    Ok(n)
}

/// The worker every node runs: woken when this node queues a push, else polling each few
/// seconds for retries that came due and other nodes' pushes.
pub async fn worker(state: AppState) {
    loop {
        match run_one(&state).await {
            Ok(true) => continue,
            Ok(false) => {
                let _ = tokio::time::timeout(Duration::from_secs(2), wake().notified()).await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "SIASN worker: will retry");
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }
    }
}
