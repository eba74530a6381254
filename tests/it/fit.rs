//! Pages that fit and speak people's words, in Chromium: every page of every demo role, in
//! Indonesian and English, on a 390 px phone and a 1366 px desktop.
//! - No page is wider than its window (`documentElement.scrollWidth > clientWidth`).
//! - No text is cut: a cell, label, heading, button or tile whose text is wider (or, where it
//!   clips, taller) than its box; a chart label that starts or ends outside its drawing; a table
//!   that hides columns behind a horizontal scroll at 1366 px.
//! - No raw code reaches a page: no snake_case token, and on Indonesian pages no English unit word
//!   ("min", "minutes", "hours"…) nor a decimal point.
//!
//! One browser per window size (the two run side by side), each role signing in once per language.
//! Screenshots of each role's home, and of the queue, the gap card and the development history,
//! are kept in `target/screenshots/fit-*.png` at both sizes.

use sqlx::PgPool;

use crate::{
    browser::{Browser, open},
    helpers::{PW, TestApp},
};

/// The check run in the page; returns one line per problem.
const CHECK: &str = r#"
const wide = arguments[0];
const out = [];
const de = document.documentElement;
const vw = de.clientWidth;
const text = el => (el.innerText || el.textContent || '').trim().replace(/\s+/g, ' ');
const describe = el => {
  let s = el.tagName.toLowerCase();
  if (el.id) s += '#' + el.id;
  if (typeof el.className === 'string' && el.className.trim()) s += '.' + el.className.trim().split(/\s+/).join('.');
  const t = text(el).slice(0, 70);
  return s + (t ? ' "' + t + '"' : '');
};
const hidden = el => {
  if (el.getClientRects().length === 0) return true;
  for (let e = el; e && e !== document.body; e = e.parentElement) {
    const cs = getComputedStyle(e);
    if (cs.display === 'none' || cs.visibility === 'hidden' || e.classList.contains('sr-only')) return true;
    if (cs.position === 'absolute' && e.getBoundingClientRect().width <= 1) return true;
  }
  return false;
};
const clips = o => o !== 'visible';
const scrolls = o => o === 'auto' || o === 'scroll';

// 1. The page is no wider than the window.
if (de.scrollWidth > vw) {
  const culprits = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= vw + 0.5 || hidden(el)) continue;
    let contained = false;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (clips(getComputedStyle(p).overflowX)) { contained = true; break; }
    }
    if (!contained) culprits.push(el);
  }
  const innermost = culprits.filter(el => !culprits.some(o => o !== el && el.contains(o)));
  out.push('page ' + de.scrollWidth + ' px wide in a ' + vw + ' px window: ' +
    innermost.slice(0, 5).map(e => describe(e) + ' to ' + Math.round(e.getBoundingClientRect().right) + ' px').join(' | '));
}

// 2. Text cut in its box.
const sel = 'td, th, label, dt, dd, legend, caption, h1, h2, h3, h4, p, li, button, a, span, strong, summary, .button, .chip, .badge, .tile-num, .tile-label, .col-head, .figure';
for (const el of document.querySelectorAll(sel)) {
  const cs = getComputedStyle(el);
  if (cs.display === 'inline' || cs.display === 'contents' || !text(el) || hidden(el)) continue;
  const cutX = el.scrollWidth > el.clientWidth + 1 && !scrolls(cs.overflowX);
  const cutY = el.scrollHeight > el.clientHeight + 1 && clips(cs.overflowY) && !scrolls(cs.overflowY);
  if (cutX || cutY || cs.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth) {
    out.push('text cut (' + el.scrollWidth + '×' + el.scrollHeight + ' in ' + el.clientWidth + '×' + el.clientHeight + '): ' + describe(el));
  }
}

// 3. At desktop width no table hides columns behind a horizontal scroll (the competency matrix,
//    people × competencies, may exceed any screen: it scrolls with the names kept in view).
if (wide) {
  for (const el of document.querySelectorAll('main *')) {
    const cs = getComputedStyle(el);
    if (!scrolls(cs.overflowX) || el.classList.contains('matrix-wrap') || hidden(el)) continue;
    if (el.scrollWidth > el.clientWidth + 1) {
      const heads = [...el.querySelectorAll('thead th')].map(th => text(th).slice(0, 20) + ' ' + Math.round(th.getBoundingClientRect().width));
      out.push('scrolls sideways at ' + vw + ' px (' + el.scrollWidth + ' in ' + el.clientWidth + '): ' + describe(el).slice(0, 120) + (heads.length ? ' [columns: ' + heads.join(', ') + ']' : ''));
    }
  }
}

// 4. Chart labels inside their drawing.
for (const svg of document.querySelectorAll('svg')) {
  const vb = svg.viewBox && svg.viewBox.baseVal;
  if (!vb || !vb.width) continue;
  for (const t of svg.querySelectorAll('text')) {
    const b = t.getBBox();
    if (b.width && (b.x < vb.x - 0.5 || b.x + b.width > vb.x + vb.width + 0.5)) {
      out.push('chart text outside its drawing (' + Math.round(b.x) + '..' + Math.round(b.x + b.width) + ' of ' + vb.width + '): "' + t.textContent + '"');
    }
  }
}

// 5. What the page says, for the raw-code scan (the footer's version number aside).
const said = [];
for (const part of document.querySelectorAll('header, nav, main')) said.push(part.innerText);
said.push(document.title);
for (const el of document.querySelectorAll('[placeholder], [title], [aria-label], option')) {
  for (const a of ['placeholder', 'title', 'aria-label']) { const v = el.getAttribute(a); if (v) said.push(v); }
  if (el.tagName === 'OPTION') said.push(el.textContent);
}
return { problems: out, said: said.join('\n') };
"#;

/// Raw codes and, on Indonesian pages, English units and decimal points in what a page says.
fn raw_words(said: &str, lang: &str) -> Vec<String> {
    let mut found = vec![];
    for word in said.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.' || c == ',' || c == '@')) {
        let w = word.trim_matches(|c: char| c == '.' || c == ',');
        if w.is_empty() || w.contains('@') {
            continue;
        }
        // snake_case: lower-case letters joined by underscores.
        if w.split('_').count() > 1
            && w.split('_').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
        {
            found.push(format!("raw code \"{w}\""));
        }
        if lang == "id" {
            let lower = w.to_lowercase();
            if [
                "min", "mins", "minute", "minutes", "hour", "hours", "hrs", "day", "days", "week", "weeks", "month",
                "months", "year", "years",
            ]
            .contains(&lower.as_str())
            {
                found.push(format!("English unit \"{w}\" on an Indonesian page"));
            }
            // A decimal point: digits, one dot, one or two digits, nothing dotted around it
            // (not "1.250" thousands, not "127.0.0.1").
            let parts: Vec<&str> = w.split('.').collect();
            if parts.len() == 2
                && !parts[0].is_empty()
                && parts[0].chars().all(|c| c.is_ascii_digit())
                && (1..=2).contains(&parts[1].len())
                && parts[1].chars().all(|c| c.is_ascii_digit())
            {
                found.push(format!("decimal point \"{w}\" on an Indonesian page"));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

#[test]
fn the_raw_word_scan_finds_what_it_should() {
    assert_eq!(raw_words("Mentoring 150 menit, 2,5 JP, Rp1.250.000, 127.0.0.1, a.b@x.id", "id"), Vec::<String>::new());
    assert_eq!(
        raw_words("belajar_mandiri · 120 min; HR home 3.84", "id"),
        vec![
            "English unit \"min\" on an Indonesian page".to_string(),
            "decimal point \"3.84\" on an Indonesian page".to_string(),
            "raw code \"belajar_mandiri\"".to_string(),
        ]
    );
    assert_eq!(raw_words("120 minutes, 3.84", "en"), Vec::<String>::new());
    assert_eq!(raw_words("nama_unit", "en"), vec!["raw code \"nama_unit\"".to_string()]);
}

/// The pages of each demo role: what its menu offers, plus the detail pages behind them.
async fn role_pages(app: &TestApp) -> Vec<(&'static str, Vec<String>)> {
    let q = |sql: &'static str| {
        let pool = app.pool.clone();
        async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&pool).await.expect(sql) }
    };
    let own = q("select employee_id from accounts where username = 'pegawai'").await;
    let pos =
        q("select position_id from employees e join accounts a on a.employee_id = e.id where a.username = 'pegawai'")
            .await;
    let comp = q("select id from competencies where code = 'APL-01'").await;
    let trn = q("select t.id from trainings t where t.status = 'completed' and exists (select 1 from training_participants p where p.training_id = t.id) order by t.id limit 1").await;
    let open_trn = q("select id from trainings where status in ('open', 'planned') order by id limit 1").await;
    let part = q("select min(p.id) from training_participants p join trainings t on t.id = p.training_id where t.status = 'completed' and p.status = 'passed'").await;
    let account = q("select id from accounts where username = 'pegawai'").await;
    let unit = q("select id from units where code = 'APT-PA'").await;
    let provider = q("select min(id) from providers").await;
    let programme = q("select min(id) from programmes").await;
    let other = q("select min(e.id) from employees e join units u on u.id = e.unit_id where u.code = 'APT-PA'").await;
    let kadis = q("select employee_id from accounts where username = 'kadis'").await;
    let (camp_open, camp_closed) = crate::campaigns::demo_campaigns(&app.pool).await;
    let employee = vec![
        "/".into(),
        format!("/employees/{own}"),
        format!("/employees/{own}/assessments/new"),
        format!("/employees/{own}/assessments/new?competency={comp}"),
        "/competencies".into(),
        format!("/competencies/{comp}"),
        "/password".into(),
        "/help".into(),
        "/development".into(),
        "/trainings".into(),
        format!("/trainings/{open_trn}"),
        "/activities".into(),
        "/activities/new".into(),
        "/training-requests".into(),
        "/training-requests/new".into(),
        format!("/employees/{own}/development"),
        "/jp/rules".into(),
        "/certificates".into(),
        format!("/employees/{own}/gaps"),
        format!("/employees/{own}/idp"),
        "/talent/me".into(),
        "/search?q=jaringan".into(),
        "/notifications".into(),
    ];
    let head = |me: i64| -> Vec<String> {
        vec![
            "/".into(),
            format!("/employees/{me}"),
            format!("/employees/{me}/development"),
            "/employees".into(),
            format!("/employees/{other}"),
            format!("/employees/{other}/development"),
            format!("/employees/{other}/gaps"),
            "/assessments/pending".into(),
            format!("/positions/{pos}"),
            "/development".into(),
            "/activities".into(),
            "/jp".into(),
            "/budgets".into(),
            "/training-requests".into(),
            "/trainings".into(),
            format!("/trainings/{trn}"),
            "/development/effect".into(),
            "/gaps".into(),
            "/gaps/matrix".into(),
            "/gaps/mentors".into(),
            "/gaps/plan".into(),
            "/gaps/akpk".into(),
            "/gaps/settings".into(),
            "/approvals".into(),
            "/notifications".into(),
            "/search?q=a".into(),
            "/campaigns".into(),
            "/campaigns/new".into(),
            format!("/campaigns/{camp_open}"),
            format!("/campaigns/{camp_open}/edit"),
            "/talent".into(),
            format!("/employees/{other}/idp"),
        ]
    };
    let kabid = q("select employee_id from accounts where username = 'kabid.aptika'").await;
    let hr = vec![
        "/".into(),
        "/employees".into(),
        "/employees?competency=1".into(),
        "/employees/new".into(),
        format!("/employees/{other}"),
        format!("/employees/{other}/edit"),
        format!("/employees/{other}/development"),
        format!("/employees/{other}/gaps"),
        "/units".into(),
        "/units/new".into(),
        format!("/units/{unit}/edit"),
        "/positions".into(),
        "/positions/new".into(),
        format!("/positions/{pos}"),
        format!("/positions/{pos}/edit"),
        "/competencies".into(),
        "/competencies/new".into(),
        format!("/competencies/{comp}/edit"),
        "/assessments/pending".into(),
        "/imports".into(),
        "/accounts".into(),
        "/accounts/new".into(),
        format!("/accounts/{account}"),
        "/audit".into(),
        "/development".into(),
        "/trainings".into(),
        "/trainings/new".into(),
        format!("/trainings/{trn}"),
        format!("/trainings/{trn}/edit"),
        format!("/participants/{part}/result"),
        "/training-requests".into(),
        "/activities".into(),
        "/providers".into(),
        "/providers/new".into(),
        format!("/providers/{provider}/edit"),
        "/programmes".into(),
        "/programmes/new".into(),
        format!("/programmes/{programme}"),
        format!("/programmes/{programme}/edit"),
        "/budgets".into(),
        "/jp".into(),
        "/jp/rules".into(),
        "/development/effect".into(),
        "/certificates".into(),
        "/gaps".into(),
        "/gaps/matrix".into(),
        "/gaps/mentors".into(),
        "/gaps/plan".into(),
        "/gaps/akpk".into(),
        "/approvals".into(),
        "/notifications".into(),
        "/campaigns".into(),
        format!("/campaigns/{camp_closed}"),
        "/search?q=a".into(),
        "/talent".into(),
        "/talent/pool".into(),
        "/talent/ratings".into(),
        "/talent/ratings/siasn".into(),
        "/idp/templates".into(),
        "/siasn".into(),
        "/siasn/ids".into(),
    ];
    vec![
        ("pegawai", employee),
        ("kabid.aptika", head(kabid)),
        ("kadis", head(kadis)),
        ("kepegawaian", hr),
        ("admin", vec!["/".into(), "/accounts".into(), "/settings".into(), "/audit".into(), "/help".into()]),
    ]
}

/// Pages that the screenshots keep, by role: (user, url, name).
fn kept(url: &str, user: &str) -> Option<String> {
    let name = match url {
        "/" => format!("home-{user}"),
        "/approvals" if user == "kabid.aptika" => "queue".into(),
        u if user == "pegawai" && u.ends_with("/gaps") => "gap-card".into(),
        u if user == "pegawai" && u.ends_with("/development") && u.starts_with("/employees/") => "history".into(),
        u if user == "kepegawaian" && u.ends_with("/development") && u.starts_with("/employees/") => {
            "history-hr".into()
        }
        _ => return None,
    };
    Some(name.replace('.', "-"))
}

async fn check_every_page(app: &TestApp, width: u32, height: u32) -> Vec<String> {
    let pages = role_pages(app).await;
    let Some(b) = open(app).await else { return vec![] };
    b.client.set_window_size(width, height).await.expect("resize");
    let wide = width >= 1000;
    let mut problems = vec![];
    for (user, urls) in &pages {
        for lang in ["id", "en"] {
            b.goto(&format!("/lang/{lang}?next=/login")).await;
            b.login(user, PW).await;
            // The menu links too: a page reached from the menu is a page of this role.
            let menu = b
                .client
                .execute(
                    "return [...document.querySelectorAll('nav.sidenav a')].map(a => a.getAttribute('href'));",
                    vec![],
                )
                .await
                .expect("menu");
            let mut all: Vec<String> = urls.clone();
            for href in menu.as_array().into_iter().flatten().filter_map(|v| v.as_str()) {
                if !all.iter().any(|u| u == href) {
                    all.push(href.to_string());
                }
            }
            // CAKAP_FIT_PAGES=/programmes narrows a run to the pages whose address contains it.
            let only = std::env::var("CAKAP_FIT_PAGES").unwrap_or_default();
            for url in all.iter().filter(|u| u.contains(&only)) {
                b.goto(url).await;
                let got = b.client.execute(CHECK, vec![serde_json::json!(wide)]).await.expect("check");
                let label = format!("{user} {url} [{lang}, {width} px]");
                for p in got["problems"].as_array().into_iter().flatten() {
                    problems.push(format!("{label}: {}", p.as_str().unwrap_or_default()));
                }
                for p in raw_words(got["said"].as_str().unwrap_or_default(), lang) {
                    problems.push(format!("{label}: {p}"));
                }
                if lang == "id"
                    && let Some(name) = kept(url, user)
                {
                    // The whole page, not only what the window shows.
                    let tall = b
                        .client
                        .execute("return document.documentElement.scrollHeight;", vec![])
                        .await
                        .ok()
                        .and_then(|v| v.as_u64())
                        .unwrap_or(u64::from(height));
                    let tall = u32::try_from(tall.clamp(u64::from(height), 6000)).unwrap_or(height);
                    b.client.set_window_size(width, tall).await.expect("resize");
                    b.shot(&format!("fit-{name}-{width}")).await;
                    b.client.set_window_size(width, height).await.expect("resize");
                }
            }
            logout(&b).await;
        }
    }
    b.close().await;
    problems
}

async fn logout(b: &Browser) {
    b.goto("/").await;
    b.tap("details.usermenu summary").await;
    b.click("details.usermenu button[type=submit]").await;
}

#[sqlx::test]
async fn every_page_fits_a_390_px_phone_and_shows_no_raw_code(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let problems = check_every_page(&app, 390, 844).await;
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

#[sqlx::test]
async fn every_page_fits_a_1366_px_screen_and_shows_no_raw_code(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let problems = check_every_page(&app, 1366, 768).await;
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}
