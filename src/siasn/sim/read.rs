//! The simulator's read endpoints: an employee's main data and histories (SKP, diklat, kursus).

use super::*;

pub(super) async fn data_utama(State(sim): State<Sim>, headers: HeaderMap, Path(nip): Path<String>) -> Response {
    if let Err(r) = gate(&sim, &headers, "GET", &format!("/pns/data-utama/{nip}"), &Value::Null).await {
        return r;
    }
    if nip.len() != 18 || !nip.bytes().all(|b| b.is_ascii_digit()) {
        return err(StatusCode::NOT_FOUND, "Data tidak ditemukan");
    }
    let id = format!("PNS-{}", &nip[nip.len() - 8..]);
    sim_answer(StatusCode::OK, json!({"success": true, "data": {"id": id, "nipBaru": nip}}))
}

pub(super) async fn history(sim: Sim, headers: HeaderMap, kind: &'static str, nip: String) -> Response {
    if let Err(r) = gate(&sim, &headers, "GET", &format!("/pns/rw-{kind}/{nip}"), &Value::Null).await {
        return r;
    }
    let s = sim.lock();
    let map = if kind == "diklat" { &s.diklat } else { &s.kursus };
    let id = format!("PNS-{}", nip.get(nip.len().saturating_sub(8)..).unwrap_or(""));
    let mut rows: Vec<Value> = map
        .values()
        .filter(|r| {
            r.get("pnsOrangId").and_then(Value::as_str) == Some(&id)
                || r.get("nip").and_then(Value::as_str) == Some(&nip)
        })
        .cloned()
        .collect();
    rows.sort_by_key(|r| r.get("id").and_then(Value::as_str).unwrap_or("").to_string());
    sim_answer(StatusCode::OK, json!({"success": true, "data": rows}))
}

/// A made-up SKP 2022 history for a NIP nobody set: one record a year from 2022 to last year,
/// the same for the same NIP. Values as SIASN writes them: 1 above expectation, 2 as expected,
/// 3 below; the GET answer spells two keys with a capital letter.
pub fn made_up_skp(nip: &str, last_year: i32) -> Vec<Value> {
    const WORDS: [&str; 3] = ["DIATAS EKSPEKTASI", "SESUAI EKSPEKTASI", "DIBAWAH EKSPEKTASI"];
    let seed: u64 = nip.bytes().fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    (2022..=last_year)
        .map(|year| {
            let h = seed.wrapping_add(year as u64 * 2_654_435_761) % 20;
            // Mostly as expected, some above, a few below.
            let of = |x: u64| {
                if x < 5 {
                    1
                } else if x < 18 {
                    2
                } else {
                    3
                }
            };
            let (hasil, perilaku) = (of(h), of((h * 7 + 3) % 20));
            json!({
                "id": format!("skp22-{nip}-{year}"),
                "tahun": year,
                "hasilKinerjaNilai": hasil,
                "hasilKinerja": WORDS[hasil - 1],
                "PerilakuKerjaNilai": perilaku,
                "perilakuKerja": WORDS[perilaku - 1],
            })
        })
        .collect()
}

pub(super) async fn rw_skp22(State(sim): State<Sim>, headers: HeaderMap, Path(nip): Path<String>) -> Response {
    if let Err(r) = gate(&sim, &headers, "GET", &format!("/pns/rw-skp22/{nip}"), &Value::Null).await {
        return r;
    }
    let set = sim.lock().skp.get(&nip).cloned();
    let last_year = chrono::Datelike::year(&chrono::Utc::now().date_naive()) - 1;
    let rows = set.unwrap_or_else(|| made_up_skp(&nip, last_year));
    sim_answer(StatusCode::OK, json!({"success": true, "data": rows}))
}

pub(super) async fn rw_diklat(State(sim): State<Sim>, headers: HeaderMap, Path(nip): Path<String>) -> Response {
    history(sim, headers, "diklat", nip).await
}

pub(super) async fn rw_kursus(State(sim): State<Sim>, headers: HeaderMap, Path(nip): Path<String>) -> Response {
    history(sim, headers, "kursus", nip).await
}

pub(super) const DIKLAT_REQUIRED: &[&str] = &[
    "pnsOrangId",
    "latihanStrukturalId",
    "nomor",
    "tanggal",
    "tanggalSelesai",
    "tahun",
    "jumlahJam",
    "institusiPenyelenggara",
];
pub(super) const KURSUS_REQUIRED: &[&str] = &[
    "instansiId",
    "pnsOrangId",
    "jenisDiklatId",
    "namaKursus",
    "institusiPenyelenggara",
    "jumlahJam",
    "nomorSertipikat",
    "tahunKursus",
    "tanggalKursus",
    "tanggalSelesaiKursus",
];
