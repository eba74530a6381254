//! Searching people by purpose (the picker's JSON), and resolving what a form posts by id.

use super::*;

/// At most this many matches per typed text (the script shows them; the form offers them).
pub(super) const MATCHES: i64 = 10;
/// At most this many names or NIPs in one field.
pub(super) const MAX_LINES: usize = 500;

/// Everyone matching each typed text, one statement for all of them: `$1..$3` the scope, `$4`
/// management (scope of decisions, NIP shown), `$5` the texts, `$6` matches per text. A full NIP
/// finds its holder; four or more digits find NIPs containing them among the records the reader
/// sees; anything else is part of a name. Same unit first, then by name. The reader never finds
/// themselves.
pub(super) async fn search_many(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    purpose: Purpose,
    texts: &[String],
) -> Result<Vec<Vec<(Person, bool)>>, sqlx::Error> {
    let scope = user.scope();
    let rows = sqlx::query!(
        r#"
    with q as (
      select t.text, t.ord,
             '%' || replace(replace(replace(t.text, '\', '\\'), '%', '\%'), '_', '\_') || '%' as pat,
             t.text ~ '^[0-9]{18}$' as full_nip, t.text ~ '^[0-9]{4,}$' as digits
      from unnest($5::text[]) with ordinality as t(text, ord))
    select q.ord as "ord!", p.id as "id!", p.name as "name!", p.position as "position!", p.unit as "unit!", p.nip, p.exact as "exact!"
    from q cross join lateral (
      select e.id, employee_display_name(e.front_title, e.name, e.back_title) as name,
             coalesce(pos.name, '') as position, u.name as unit, case when $4 then e.nip end as nip,
             lower(e.name) = lower(q.text) or e.nip = q.text as exact
      from employees e join units u on u.id = e.unit_id left join positions pos on pos.id = e.position_id
      where e.active and e.id is distinct from $2
        and (not $4 or scope_decides($1, $2, $3, e.id, u.path))
        and case when q.full_nip then e.nip = q.text
                 when q.digits then e.nip like q.pat and scope_sees($1, $2, $3, e.id, u.path)
                 else e.name ilike q.pat end
      order by lower(e.name) = lower(q.text) desc, e.unit_id = (select m.unit_id from employees m where m.id = $2) desc nulls last,
               e.name, e.id
      limit $6) p
    order by q.ord, p.exact desc, p.name, p.id"#,
        scope.all,
        scope.own,
        &scope.unit_patterns,
        purpose == Purpose::Manage,
        texts,
        MATCHES + 1,
    )
    .fetch_all(conn)
    .await?;
    let mut out: Vec<Vec<(Person, bool)>> = vec![vec![]; texts.len()];
    for m in rows {
        if let Some(slot) = usize::try_from(m.ord - 1).ok().and_then(|i| out.get_mut(i)) {
            let person = Person { id: m.id, name: m.name, position: m.position, unit: m.unit, nip: m.nip };
            // The whole name (or the whole NIP) was typed.
            slot.push((person, m.exact));
        }
    }
    Ok(out)
}

/// The people behind these ids that the reader may choose for this purpose, checked again: active,
/// not the reader, within the purpose's scope.
pub async fn by_ids(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    purpose: Purpose,
    ids: &[i64],
) -> Result<Vec<Person>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let scope = user.scope();
    sqlx::query_as!(
        Person,
        r#"
    select e.id, employee_display_name(e.front_title, e.name, e.back_title) as "name!",
           coalesce(pos.name, '') as "position!", u.name as unit, case when $4 then e.nip end as nip
    from employees e join units u on u.id = e.unit_id left join positions pos on pos.id = e.position_id
    where e.id = any($5) and e.active and e.id is distinct from $2
      and (not $4 or scope_decides($1, $2, $3, e.id, u.path))
    order by e.name, e.id"#,
        scope.all,
        scope.own,
        &scope.unit_patterns,
        purpose == Purpose::Manage,
        ids,
    )
    .fetch_all(conn)
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct SearchQuery {
    q: String,
    #[serde(rename = "for")]
    purpose: String,
}

/// What a picker's search answers (`static/js/picker.js`): `{"people": [...], "more": false}`,
/// whatever it finds (people, positions, units).
#[derive(Serialize)]
struct SearchAnswer<T> {
    people: Vec<T>,
    /// More matched than are listed: type more.
    more: bool,
}

/// A picker's answer: the first `limit` of `found` (asked for `limit + 1`, so that `more` says
/// whether more matched), never cached.
pub fn picker_answer<T: Serialize>(mut found: Vec<T>, limit: i64) -> Response {
    let more = found.len() as i64 > limit;
    found.truncate(limit.max(0) as usize);
    let mut res = Json(SearchAnswer { people: found, more }).into_response();
    res.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    res
}

/// A picker search's typed text: trimmed, no control characters, at most 100 characters; `None`
/// under two characters (nothing is searched).
pub fn picker_text(q: &str) -> Option<String> {
    let q: String = q.trim().chars().filter(|c| !c.is_control()).take(100).collect();
    (q.chars().count() >= 2).then_some(q)
}

/// `GET /people/search?q=yayan&for=learning|manage` → `{"people": [{id, name, position, unit}], "more": false}`.
pub(super) async fn search(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(p): Query<SearchQuery>,
) -> AppResult<Response> {
    let purpose = Purpose::parse(&p.purpose).unwrap_or_default();
    if !purpose.allowed(&user) {
        return Err(AppError::Forbidden);
    }
    let q = query_text(&p.q);
    if q.chars().count() < 2 {
        return Ok(picker_answer(Vec::<Person>::new(), MATCHES));
    }
    let mut conn = state.pool.acquire().await?;
    let found: Vec<Person> = search_many(&mut conn, &user, purpose, &[q])
        .await?
        .pop()
        .unwrap_or_default()
        .into_iter()
        .map(|m| m.0)
        .collect();
    Ok(picker_answer(found, MATCHES))
}

/// A typed text as searched: trimmed, spaces inside a NIP dropped, at most 100 characters, no
/// control characters.
pub(super) fn query_text(s: &str) -> String {
    let t: String = s.trim().chars().filter(|c| !c.is_control()).take(100).collect();
    let compact: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() >= 4 && compact.bytes().all(|b| b.is_ascii_digit()) { compact } else { t }
}
