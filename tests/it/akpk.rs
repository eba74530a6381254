//! The AKPK of the demo department as handed in: a landscape PDF whose columns fit their content
//! (every NIP on one line, no header word cut) and that ends with the head's signature; an XLSX
//! whose levels, JP and costs are numbers, with a totals row; a page that fits 1366 px.

use axum::http::StatusCode;
use calamine::{Data, Reader as _, Xlsx};
use serde_json::json;
use sqlx::PgPool;

use crate::{
    browser::open,
    helpers::{Client, PW, TestApp},
};

/// One line of text drawn on a page: font (F1 regular, F2 bold), size, text.
#[derive(Debug)]
struct Line {
    font: String,
    size: f64,
    text: String,
}

/// A PDF string literal's bytes read back (escapes and octal codes; WinAnsi as Latin-1).
fn unescape(lit: &str) -> String {
    let b = lit.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            if b[i + 1].is_ascii_digit() {
                let end = (i + 4).min(b.len());
                let code = u8::from_str_radix(&lit[i + 1..end], 8).expect("octal");
                out.push(char::from(code));
                i = end;
            } else {
                out.push(char::from(b[i + 1]));
                i += 2;
            }
        } else {
            out.push(char::from(b[i]));
            i += 1;
        }
    }
    out
}

/// The pages of one of Cakap's PDFs (uncompressed): each page's MediaBox and its text lines in
/// drawing order (`BT /F1 8 Tf x y Td (text) Tj ET`).
fn read_pdf(pdf: &str) -> Vec<(String, Vec<Line>)> {
    let boxes: Vec<String> =
        pdf.split("/MediaBox [").skip(1).map(|s| s.split(']').next().unwrap_or("").to_string()).collect();
    let streams: Vec<&str> = pdf.split(">>\nstream\n").skip(1).filter_map(|s| s.split("\nendstream").next()).collect();
    assert_eq!(boxes.len(), streams.len(), "one content stream per page");
    boxes
        .into_iter()
        .zip(streams)
        .map(|(mediabox, s)| {
            let lines = s
                .lines()
                .filter_map(|l| {
                    let rest = l.strip_prefix("BT /")?;
                    let (font, rest) = rest.split_once(' ')?;
                    let (size, rest) = rest.split_once(" Tf ")?;
                    let (_, rest) = rest.split_once(" Td (")?;
                    let text = rest.strip_suffix(") Tj ET")?;
                    Some(Line { font: font.into(), size: size.parse().ok()?, text: unescape(text) })
                })
                .collect();
            (mediabox, lines)
        })
        .collect()
}

/// Accept the plan for the whole department with its remaining budget; the items' NIPs, and
/// the sums of their JP and costs.
async fn accepted_plan(app: &TestApp, hr: &mut Client) -> (i64, String, Vec<String>, f64, i64) {
    let unit = app.scalar("select id from units where code = 'DKIS'").await;
    let year = app.scalar("select extract(year from current_date)::bigint").await.to_string();
    // The plan is computed as a job: the first view queues it, the worker computes it, the page
    // shows it with its run to accept.
    let page = format!("/gaps/plan?unit={unit}&year={year}");
    hr.get(&page).await;
    cakap::gaps::plan_run::run_queued(&app.state).await.expect("plan runs");
    let shown = hr.get(&page).await;
    let run = crate::helpers::hidden(&shown.body, "run");
    let r = hr.post("/gaps/plan", &[("run", &run)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let nips: Vec<String> = sqlx::query_scalar(
        "select e.nip from dev_plan_items i join employees e on e.id = i.employee_id order by e.name, i.id",
    )
    .fetch_all(&app.pool)
    .await
    .expect("items");
    assert!(nips.len() > 40, "a plan of a working department: {}", nips.len());
    let (jp, cost): (f64, i64) =
        sqlx::query_as("select sum(jp)::float8, sum(estimated_cost)::int8 from dev_plan_items")
            .fetch_one(&app.pool)
            .await
            .expect("sums");
    (unit, year, nips, jp, cost)
}

#[sqlx::test]
async fn the_akpk_pdf_fits_its_columns_and_is_signed_by_the_head(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let (unit, year, nips, _, cost) = accepted_plan(&app, &mut hr).await;
    let (head, head_nip, rank): (String, String, String) = sqlx::query_as(
        "select employee_display_name(e.front_title, e.name, e.back_title), e.nip, coalesce(rank_label(r.grade, r.status, r.title), '')
         from accounts a join employees e on e.id = a.employee_id left join ranks r on r.code = e.rank_code
         where a.username = 'kadis'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("the head of the dinas");
    let url = format!("/gaps/akpk?unit={unit}&year={year}&format=pdf");
    let pdf = hr.get(&url).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    let pages = read_pdf(&pdf.body);
    // A4 landscape; 12 rows a page at least on average (fixed-ratio columns took 12 pages for
    // the 122 rows of the demo: 10 a page).
    assert!(pages.iter().all(|(b, _)| b == "0 0 842 595"), "A4 landscape: {:?}", pages[0].0);
    assert!(pages.len() * 12 <= nips.len() + 12, "{} pages for {} rows", pages.len(), nips.len());
    let all: Vec<&Line> = pages.iter().flat_map(|(_, l)| l).collect();
    // Every NIP is one line of its own: never broken.
    for nip in &nips {
        assert!(all.iter().any(|l| l.text == *nip), "NIP {nip} on one line");
    }
    assert!(!all.iter().any(|l| l.text.len() < 18 && l.text.len() > 3 && nips.iter().any(|n| n.starts_with(&l.text))));
    // The header row on every page: its words, in order, each whole.
    let headers = [
        "No.",
        "NIP",
        "Nama / jabatan",
        "Kompetensi",
        "Tingkat standar",
        "Tingkat saat ini",
        "Kesenjangan",
        "Jalur",
        "Program",
        "JP",
        "Perkiraan biaya",
        "Sumber dana",
        "Status",
    ];
    let want: Vec<&str> = headers.iter().flat_map(|h| h.split(' ')).collect();
    for (i, (_, lines)) in pages.iter().enumerate() {
        if i + 1 == pages.len() && !lines.iter().any(|l| l.text == "Kesenjangan") {
            continue; // the signature alone on the last page
        }
        let got: Vec<&str> = lines
            .iter()
            .filter(|l| l.font == "F2" && l.size <= 8.0 && l.text != head)
            .flat_map(|l| l.text.split(' '))
            .collect();
        assert_eq!(got, want, "page {}: the header, no word split", i + 1);
    }
    // The totals, then the signature block: place and date, the office, the head, rank, NIP.
    let at = |t: &str| all.iter().position(|l| l.text == t).unwrap_or_else(|| panic!("{t} in the PDF"));
    let total = at("Jumlah");
    assert_eq!(all[total + 2].text, cakap::development::model::rupiah(cost), "the cost's total");
    let place = all.iter().position(|l| l.text.starts_with("Kabupaten Bandung, ") && l.text.ends_with(&year));
    let place = place.expect("place and date");
    assert!(total < place, "the signature after the table");
    assert!(all[place + 1].text.starts_with("Kepala Dinas Komunikasi"), "{:?}", all[place + 1]);
    let name = at(&head);
    assert!(place < name && all[name].font == "F2");
    if !rank.is_empty() {
        assert_eq!(all[name + 1].text, rank);
    }
    assert_eq!(all.last().map(|l| l.text.as_str()), Some(format!("NIP. {head_nip}").as_str()));

    // No head recorded for the dinas: a line for the name and "NIP." with a blank.
    sqlx::query("delete from account_roles where role = 'head' and unit_id = $1")
        .bind(unit)
        .execute(&app.pool)
        .await
        .expect("no head");
    let pdf = hr.get(&url).await;
    let pages = read_pdf(&pdf.body);
    let all: Vec<&Line> = pages.iter().flat_map(|(_, l)| l).collect();
    assert!(!all.iter().any(|l| l.text == head || l.text.contains(&head_nip)), "no head named");
    assert_eq!(all.last().map(|l| l.text.as_str()), Some("NIP."));
    assert!(all.iter().any(|l| l.text.starts_with("Kepala Dinas Komunikasi")));
}

#[sqlx::test]
async fn the_akpk_xlsx_has_numbers_and_totals_and_the_csv_keeps_its_columns(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let (unit, year, nips, jp, cost) = accepted_plan(&app, &mut hr).await;
    let x = hr.get(&format!("/gaps/akpk?unit={unit}&year={year}&format=xlsx")).await;
    assert_eq!(x.status, StatusCode::OK);
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(x.bytes.to_vec())).expect("an XLSX");
    let sheet = wb.worksheet_range("akpk").expect("the akpk sheet");
    let rows: Vec<&[Data]> = sheet.rows().collect();
    assert_eq!(rows.len(), nips.len() + 2, "header, the items, the totals");
    assert_eq!(rows[0][15], Data::String("JP".into()));
    assert_eq!(rows[0][16], Data::String("Perkiraan biaya".into()));
    let (mut sum_jp, mut sum_cost) = (0.0, 0.0);
    for (r, nip) in rows[1..=nips.len()].iter().zip(&nips) {
        assert_eq!(r[0], Data::String(nip.clone()), "the NIP stays text, all 18 digits");
        for c in [6, 7, 8, 14] {
            assert!(matches!(r[c], Data::Float(_) | Data::Int(_)), "levels, gap and year are numbers: {:?}", r[c]);
        }
        match (&r[15], &r[16]) {
            (Data::Float(j), Data::Float(c)) => {
                sum_jp += j;
                sum_cost += c;
            }
            other => panic!("JP and cost are numbers: {other:?}"),
        }
    }
    let last = rows[nips.len() + 1];
    assert_eq!(last[0], Data::String("Jumlah".into()));
    assert_eq!(last[15], Data::Float(sum_jp), "the JP total is the sum of the column");
    assert_eq!(last[16], Data::Float(sum_cost), "the cost total is the sum of the column");
    assert!((sum_jp - jp).abs() < 1e-6 && sum_cost == cost as f64, "the plan's own sums");
    let formulas = wb.worksheet_formula("akpk").expect("formulas");
    let n = nips.len() as u32 + 1;
    assert_eq!(formulas.get_value((n, 16)).map(String::as_str), Some(format!("SUM(Q2:Q{n})").as_str()));

    // The CSV: the same columns as before, figures as people write them, no totals row.
    let csv = hr.get(&format!("/gaps/akpk?unit={unit}&year={year}&format=csv")).await;
    let lines: Vec<&str> = csv.body.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[0],
        "NIP,Nama,Jabatan,Unit kerja,Jenis kompetensi,Kompetensi,Tingkat standar,Tingkat saat ini,Kesenjangan,Prioritas,Jalur,Jenis (SIASN),Program,Penyelenggara,Tahun,JP,Perkiraan biaya,Sumber dana,Status"
    );
    assert_eq!(lines.len(), nips.len() + 1);
    assert!(lines[1..].iter().any(|l| l.contains(",Rp")), "money as rupiah in the CSV");
}

/// At 1366 × 768 the AKPK page does not scroll sideways and its last column is in view.
#[sqlx::test]
async fn the_akpk_page_fits_1366(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let (unit, year, ..) = accepted_plan(&app, &mut hr).await;
    let Some(b) = open(&app).await else { return };
    b.client.set_window_size(1366, 768).await.expect("resize");
    b.login("kepegawaian", PW).await;
    for lang in ["id", "en"] {
        b.goto(&format!("/lang/{lang}?next=/")).await;
        b.goto(&format!("/gaps/akpk?unit={unit}&year={year}")).await;
        let fit = b
            .client
            .execute(
                "const doc = document.documentElement, wrap = document.querySelector('.table-wrap');
                 const head = document.querySelector('table.akpk thead th:last-child');
                 const last = head.getBoundingClientRect();
                 // Words are never cut: a one-word cell (the status) stays on one line.
                 const lines = el => { const r = document.createRange(); r.selectNodeContents(el); return new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top))).size; };
                 const cell = document.querySelector('table.akpk tbody tr td:last-child');
                 return { page: doc.scrollWidth, inner: window.innerWidth, wrap: wrap.scrollWidth - wrap.clientWidth,
                          status: last.right <= Math.min(window.innerWidth, wrap.getBoundingClientRect().right) + 1,
                          whole: lines(head) === 1 && lines(cell) === 1 };",
                vec![],
            )
            .await
            .expect("measure");
        assert!(fit["page"].as_i64().unwrap_or(9999) <= 1366, "{lang}: the page is no wider than the window: {fit}");
        assert_eq!(fit["wrap"], json!(0), "{lang}: the table needs no sideways scroll: {fit}");
        assert_eq!(fit["status"], json!(true), "{lang}: the status column in view: {fit}");
        assert_eq!(fit["whole"], json!(true), "{lang}: the status on one line, not cut: {fit}");
        b.shot(&format!("akpk-1366-{lang}")).await;
    }
    b.close().await;
}
