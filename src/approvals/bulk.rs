//! Deciding one item or every ticked item from the queue.

use super::*;

/// Decide one item (its own approve / reject button, with its own reason) or every ticked item
/// the same way (the bulk buttons, with the shared reason), each through `app::decide` as on its
/// own page;
/// what could not be decided (someone decided first, over budget, no reason) is listed with why,
/// and the page comes back with the ticks and the reasons as they were.
pub(super) async fn bulk(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let parse_key = |v: &str| v.split_once(':').and_then(|(k, id)| Some((k.to_string(), id.parse::<i64>().ok()?)));
    let mut posted = Posted {
        ticked: fields.iter().filter(|(n, _)| n == "item").map(|(_, v)| v.clone()).take(500).collect(),
        reasons: fields
            .iter()
            .filter_map(|(n, v)| n.strip_prefix("reason-").map(|d| (d.to_string(), v.clone())))
            .filter(|(_, v)| !v.trim().is_empty())
            .take(500)
            .collect(),
        reason: get("reason"),
        page: get("page").parse::<i64>().ok().filter(|p| *p > 1),
        ..Default::default()
    };
    // Back to the page the decision was taken on.
    let back = match posted.page {
        Some(p) => format!("/approvals?page={p}"),
        None => "/approvals".to_string(),
    };
    let one = get("one");
    let (approve, items, reason) = if let Some((decision, key)) = one.split_once(':') {
        let Some((kind, id)) = parse_key(key) else {
            return Ok(redirect_flash(&back, FlashKind::Err, "appr.err.none"));
        };
        let dom = format!("{kind}-{id}");
        let reason = posted.reason_of(&dom).trim().to_string();
        let approve = decision == "approve";
        if !approve && reason.is_empty() {
            posted.item_error = Some((dom, "appr.err.reason"));
            return page(&state, ctx, &user, StatusCode::UNPROCESSABLE_ENTITY, vec![], &posted).await;
        }
        (approve, vec![(kind, id)], reason)
    } else {
        let approve = get("decision") == "approve";
        let items: Vec<(String, i64)> = posted.ticked.iter().filter_map(|v| parse_key(v)).take(200).collect();
        if items.is_empty() {
            posted.error = Some("appr.err.none");
            return page(&state, ctx, &user, StatusCode::UNPROCESSABLE_ENTITY, vec![], &posted).await;
        }
        if !approve && posted.reason.is_empty() {
            posted.error = Some("appr.err.reason");
            return page(&state, ctx, &user, StatusCode::UNPROCESSABLE_ENTITY, vec![], &posted).await;
        }
        (approve, items, posted.reason.clone())
    };
    let mut failed = vec![];
    for (kind, id) in &items {
        let d = Decision { approve, reason: reason.clone() };
        let outcome = match kind.as_str() {
            "assessment" => decide::<Assessment>(&state, &ctx, &user, *id, d).await,
            "activity" => decide::<Activity>(&state, &ctx, &user, *id, d).await,
            "request" => decide::<Request>(&state, &ctx, &user, *id, d).await,
            "participant" => decide::<Nomination>(&state, &ctx, &user, *id, d).await,
            _ => continue,
        };
        // Not decided: someone was first, not this user's, no reason, or refused (over budget,
        // no seat…), each said in words; an error (the database still busy) is said as such.
        let why = match outcome {
            Ok(o) => o.why(&ctx),
            Err(e) => {
                tracing::warn!(item = %format!("{kind}:{id}"), error = %e, "a queued decision failed");
                Some(ctx.t("appr.not_allowed").to_string())
            }
        };
        if let Some(why) = why {
            failed.push((format!("{kind}:{id}"), why));
        }
    }
    if failed.is_empty() {
        let key = match (one.is_empty(), approve) {
            (true, true) => "flash.bulk_approved",
            (true, false) => "flash.bulk_rejected",
            (false, true) => "flash.one_approved",
            (false, false) => "flash.one_rejected",
        };
        return Ok(redirect_flash(&back, FlashKind::Ok, key));
    }
    // What was decided is gone from the list; what was not stays ticked.
    posted.ticked.retain(|t| failed.iter().any(|(k, _)| k == t));
    page(&state, ctx, &user, StatusCode::UNPROCESSABLE_ENTITY, failed, &posted).await
}
