use super::*;

fn sheet(rows: &[&[&str]]) -> RawSheet {
    RawSheet {
        rows: rows.iter().enumerate().map(|(i, r)| (i + 1, r.iter().map(|c| Cell::text(c)).collect())).collect(),
    }
}

#[test]
fn header_below_a_title_block_and_ignored_columns() {
    let s = sheet(&[
        &["DINAS KOMUNIKASI, INFORMATIKA DAN STATISTIK"],
        &["Daftar Pegawai per 1 November 2026"],
        &["No", "NIP Baru", "Nama", "Status Pegawai", "Gol/Ruang", "Jabatan Terakhir", "Unit Kerja", "Agama"],
        &["1", "198609262015051001", "Asep", "PNS", "III/b", "Pranata Komputer", "APT-PA", "Islam"],
    ]);
    let m = map_rows(Kind::Employees, &s).expect("header found");
    assert_eq!(m.ignored, vec!["No".to_string(), "Agama".to_string()]);
    assert_eq!(m.rows.len(), 1);
    assert_eq!(m.rows[0].row, 4);
    assert_eq!(m.rows[0].values[7], Some("III/b".into()));
    assert_eq!(m.rows[0].values[2], None, "no Gelar Depan column: absent, not empty");
}

#[test]
fn no_header_says_what_is_expected() {
    let s = sheet(&[&["a", "b"], &["1", "2"]]);
    match map_rows(Kind::Assessments, &s) {
        Err(HeaderError::NotFound(names)) => assert!(names.contains(&"Kode Kompetensi")),
        other => panic!("unexpected {:?}", other.err()),
    }
    let s = sheet(&[&["NIP", "Nama"], &["1", "2"]]);
    assert_eq!(
        map_rows(Kind::Employees, &s).err(),
        Some(HeaderError::Missing(vec!["Status", "Jabatan", "Unit Kerja"]))
    );
}

#[test]
fn numbers_in_identifiers_are_refused() {
    let r = MappedRow {
        row: 2,
        values: vec![Some("198609262015051000".into()), None, None, None, None, None, None],
        numeric: vec![true, false, false, false, false, false, false],
    };
    let mut errors = vec![];
    let bad = number_in_identifier(Kind::Assessments, &r, &mut errors);
    assert!(bad.contains("nip"));
    assert_eq!(errors, vec![("NIP".to_string(), "imp.err.nip_number".to_string())]);
    let r = MappedRow { numeric: vec![false; 7], values: vec![Some("1.98609262015051E+17".into()); 7], row: 2 };
    let mut errors = vec![];
    assert!(number_in_identifier(Kind::Assessments, &r, &mut errors).contains("nip"));
}
