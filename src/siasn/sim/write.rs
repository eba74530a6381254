//! The simulator's write endpoints: saving and deleting diklat and kursus, uploads, references.

use super::*;

pub(super) async fn save(sim: Sim, headers: HeaderMap, kind: &'static str, body: Value) -> Response {
    if let Err(r) = gate(&sim, &headers, "POST", &format!("/{kind}/save"), &body).await {
        return r;
    }
    let (required, dates) = if kind == "diklat" {
        (DIKLAT_REQUIRED, ["tanggal", "tanggalSelesai"])
    } else {
        (KURSUS_REQUIRED, ["tanggalKursus", "tanggalSelesaiKursus"])
    };
    if let Some(f) = required.iter().find(|f| !has(&body, f)) {
        return err(StatusCode::BAD_REQUEST, &format!("{f} wajib diisi"));
    }
    if let Some(f) = dates.iter().find(|f| !dmy_ok(&body, f)) {
        return err(StatusCode::BAD_REQUEST, &format!("{f} harus berformat dd-mm-yyyy"));
    }
    let mut s = sim.lock();
    let given = body.get("id").and_then(Value::as_str).filter(|i| !i.is_empty()).map(str::to_string);
    let exists = given
        .as_ref()
        .is_some_and(|i| if kind == "diklat" { s.diklat.contains_key(i) } else { s.kursus.contains_key(i) });
    if given.is_some() && !exists {
        return err(StatusCode::BAD_REQUEST, "Data riwayat dengan id tersebut tidak ditemukan");
    }
    let id = match given {
        Some(i) => i,
        None => {
            s.next_id += 1;
            format!("{kind}-{:06}", s.next_id)
        }
    };
    let mut record = body.clone();
    record["id"] = json!(id);
    let key = if kind == "diklat" { "rwDiklatId" } else { "rwKursusId" };
    if kind == "diklat" {
        s.diklat.insert(id.clone(), record);
    } else {
        s.kursus.insert(id.clone(), record);
    }
    sim_answer(StatusCode::OK, json!({"success": true, "mapData": {key: id}, "message": "success"}))
}

pub(super) async fn diklat_save(State(sim): State<Sim>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    save(sim, headers, "diklat", body).await
}

pub(super) async fn kursus_save(State(sim): State<Sim>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    save(sim, headers, "kursus", body).await
}

pub(super) async fn remove(sim: Sim, headers: HeaderMap, kind: &'static str, id: String) -> Response {
    if let Err(r) = gate(&sim, &headers, "DELETE", &format!("/{kind}/delete/{id}"), &Value::Null).await {
        return r;
    }
    let mut s = sim.lock();
    let gone = if kind == "diklat" { s.diklat.remove(&id) } else { s.kursus.remove(&id) };
    match gone {
        Some(_) => sim_answer(StatusCode::OK, json!({"success": true, "message": "success"})),
        None => err(StatusCode::NOT_FOUND, "Data tidak ditemukan"),
    }
}

pub(super) async fn diklat_delete(State(sim): State<Sim>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    remove(sim, headers, "diklat", id).await
}

pub(super) async fn kursus_delete(State(sim): State<Sim>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    remove(sim, headers, "kursus", id).await
}

pub(super) async fn upload(State(sim): State<Sim>, headers: HeaderMap, mut mp: Multipart) -> Response {
    let mut id_ref = String::new();
    let mut file: Option<(String, usize)> = None;
    while let Ok(Some(field)) = mp.next_field().await {
        match field.name().unwrap_or("") {
            "id_ref_dokumen" => id_ref = field.text().await.unwrap_or_default(),
            "file" => {
                let name = field.file_name().unwrap_or("").to_string();
                let len = field.bytes().await.map(|b| b.len()).unwrap_or(0);
                file = Some((name, len));
            }
            _ => {}
        }
    }
    let body = json!({"id_ref_dokumen": id_ref, "file": file.as_ref().map(|(n, l)| json!({"name": n, "size": l}))});
    if let Err(r) = gate(&sim, &headers, "POST", "/upload-dok", &body).await {
        return r;
    }
    let Some((name, len)) = file.filter(|(_, l)| *l > 0) else {
        return err(StatusCode::BAD_REQUEST, "file wajib diisi");
    };
    if id_ref.trim().is_empty() {
        return err(StatusCode::BAD_REQUEST, "id_ref_dokumen wajib diisi");
    }
    let mut s = sim.lock();
    s.next_id += 1;
    let n = s.next_id;
    let object = format!("peremajaan/usulan/{n:06}_{len}_{name}");
    sim_answer(
        StatusCode::OK,
        json!({"success": true, "data": {"dok_id": id_ref, "dok_nama": name, "dok_uri": object, "object": object, "slug": id_ref}}),
    )
}

pub(super) async fn reference(State(sim): State<Sim>, headers: HeaderMap, Path(kind): Path<String>) -> Response {
    if let Err(r) = gate(&sim, &headers, "GET", &format!("/referensi/{kind}"), &Value::Null).await {
        return r;
    }
    let rows: Vec<(&str, &str)> = match kind.as_str() {
        "latihan-struktural" => vec![
            ("1", "SEPADA"),
            ("2", "SEPALA/ADUM/DIKLAT PIM TK.IV"),
            ("3", "SEPADYA/SPAMA/DIKLAT PIM TK.III"),
            ("4", "SPAMEN/SESPA/SESPANAS/DIKLAT PIM TK.II"),
            ("5", "SEPATI/DIKLAT PIM TK.I"),
            ("6", "PELATIHAN KEPEMIMPINAN PENGAWAS"),
            ("7", "PELATIHAN KEPEMIMPINAN ADMINISTRATOR"),
            ("8", "PELATIHAN KEPEMIMPINAN NASIONAL TK.II"),
            ("9", "PELATIHAN KEPEMIMPINAN NASIONAL TK.I"),
        ],
        "jenis-kursus-sertifikat" => {
            vec![("P", "Sertifikat Pelatihan"), ("S", "Sertifikat Keahlian"), ("T", "Surat Tanda Tamat")]
        }
        "jenis-kompetensi" => vec![("M", "Manajerial"), ("T", "Teknis"), ("S", "Sosial Kultural")],
        "jenis-diklat" => vec![
            ("1", "Struktural"),
            ("2", "Fungsional"),
            ("3", "Teknis"),
            ("4", "Workshop"),
            ("5", "Manajerial"),
            ("6", "Sosial Kultural"),
            ("7", "Sosialisasi"),
            ("8", "Bimbingan Teknis"),
            ("9", "Seminar"),
            ("10", "Magang"),
            ("11", "Kursus"),
            ("12", "Penataran"),
            ("13", "Klasikal Lainnya"),
            ("14", "Coaching"),
            ("15", "Mentoring"),
            ("16", "E-Learning"),
            ("17", "Pelatihan Jarak Jauh"),
            ("18", "Detasering"),
            ("19", "Outbound"),
            ("20", "Benchmarking"),
            ("21", "Pertukaran"),
            ("22", "Belajar Mandiri"),
            ("23", "Komunitas Belajar"),
            ("24", "Bimbingan di Tempat Kerja"),
            ("25", "Nonklasikal Lainnya"),
        ],
        _ => return err(StatusCode::NOT_FOUND, "Referensi tidak ditemukan"),
    };
    let data: Vec<Value> = rows.into_iter().map(|(id, nama)| json!({"id": id, "nama": nama})).collect();
    sim_answer(StatusCode::OK, json!({"success": true, "data": data}))
}
