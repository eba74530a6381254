use super::*;

#[test]
fn a_report_is_a_pdf_with_its_text_and_page_numbers() {
    let rows: Vec<Vec<String>> =
        (0..120).map(|i| vec![format!("Pegawai {i}"), "Pelatihan (teknis) — 2026".into()]).collect();
    let meta = Meta {
        title: "Riwayat pengembangan kompetensi".into(),
        agency: "Dinas Komunikasi, Informatika dan Statistik".into(),
        date: "23 November 2026".into(),
        page_label: "Halaman {n} dari {m}".into(),
        landscape: false,
    };
    let pdf = render(
        &meta,
        &[Block::Heading("Klasikal".into()), Block::Table { headers: vec!["Nama".into(), "Judul".into()], rows }],
    );
    let text = String::from_utf8_lossy(&pdf);
    assert!(pdf.starts_with(b"%PDF-1.4"));
    assert!(text.contains("(Riwayat pengembangan kompetensi)"));
    assert!(text.contains("(Pegawai 119)"));
    assert!(text.contains("(Pelatihan \\(teknis\\) \\227 2026)"), "escaped, em dash in WinAnsi");
    assert!(text.contains("(Halaman 1 dari ") && text.contains("/Count "));
    let pages: usize = text.matches("/Type /Page ").count();
    assert!(pages >= 3, "120 rows take several pages: {pages}");
    assert!(text.contains(&format!("(Halaman {pages} dari {pages})")));
    assert!(text.trim_end().ends_with("%%EOF"));
}

#[test]
fn columns_fit_their_words_and_shrink_before_cutting() {
    let headers: Vec<String> = ["NIP", "Nama", "Kesenjangan", "Program pelatihan"].map(String::from).to_vec();
    let rows: Vec<Vec<String>> = (0..30)
        .map(|i| {
            vec![
                format!("19900101201503{i:04}"),
                "Dr. Andri Purnama, S.Si. · Statistisi Ahli Pertama".into(),
                "1".into(),
                "Mentoring: Firman Supriatna, S.Kom. · Seksi Statistik Sektoral".into(),
            ]
        })
        .collect();
    let Fit { size, cols } = fit(&headers, &rows, 400.0);
    assert_eq!(size, TABLE_SIZE, "the widest words fit at the table's size");
    assert!((cols.iter().sum::<f64>() - 400.0).abs() < 0.01, "{cols:?}");
    for (c, h) in headers.iter().enumerate() {
        let lines = wrap(h, cols[c] - 2.0 * CELL_PAD, size, true);
        let words: Vec<String> = lines
            .iter()
            .flat_map(|l| String::from_utf8_lossy(l).split(' ').map(String::from).collect::<Vec<_>>())
            .collect();
        assert_eq!(words, h.split(' ').collect::<Vec<_>>(), "{h}: broken at spaces only");
    }
    assert_eq!(wrap(&rows[0][0], cols[0] - 2.0 * CELL_PAD, size, false).len(), 1, "a NIP on one line");
    // Twelve NIP columns do not fit 762 points at 7.5: the font shrinks, the NIPs stay whole.
    let wide: Vec<String> = (0..12).map(|i| format!("NIP {i}")).collect();
    let row: Vec<Vec<String>> = vec![(0..12).map(|_| "199001012015031001".to_string()).collect()];
    let Fit { size, cols } = fit(&wide, &row, 762.0);
    assert!((TABLE_MIN_SIZE..TABLE_SIZE).contains(&size), "{size}");
    assert!(cols.iter().all(|w| wrap(&row[0][0], w - 2.0 * CELL_PAD, size, false).len() == 1));
}

#[test]
fn a_signature_without_a_head_leaves_blanks() {
    let meta = Meta {
        title: "AKPK".into(),
        agency: "Dinas".into(),
        date: "4 Desember 2026".into(),
        page_label: "{n}/{m}".into(),
        landscape: true,
    };
    let sign = |name: &str, nip: &str| Signature {
        place_date: "Kabupaten Bandung, 4 Desember 2026".into(),
        office: "Kepala Dinas Komunikasi, Informatika dan Statistik".into(),
        name: name.into(),
        rank: String::new(),
        nip: nip.into(),
    };
    let signed =
        String::from_utf8_lossy(&render(&meta, &[Block::Signature(sign("Nining", "197107251995022001"))])).into_owned();
    assert!(signed.contains("(Nining) Tj") && signed.contains("(NIP. 197107251995022001) Tj"));
    assert!(signed.contains("/MediaBox [0 0 842 595]"));
    let blank = String::from_utf8_lossy(&render(&meta, &[Block::Signature(sign("", ""))])).into_owned();
    assert!(blank.contains("(NIP.) Tj") && !blank.contains("(NIP. "));
    assert!(blank.contains("(Kabupaten Bandung, 4 Desember 2026) Tj"));
}

#[test]
fn long_words_and_plain_forms() {
    let lines = wrap("sebuahkatayangsangatpanjangsekalihinggatidakmuat", 40.0, 8.0, false);
    assert!(lines.len() > 1);
    assert_eq!(ansi('→'), b"->".to_vec());
    assert_eq!(ansi('é'), vec![0xe9]);
}
