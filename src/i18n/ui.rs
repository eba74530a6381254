//! Strings of the "everyday use, round two" page work: forms in one pass, numbers and dates as
//! people write them, lists people act on (issue 25, items 4–7).

pub const STRINGS: &[(&str, &str, &str)] = &[
    ("jpl.sort", "Urutkan", "Sort by"),
    ("jpl.sort_shortfall", "Kekurangan JP terbesar", "Largest JP shortfall"),
    ("jpl.sort_name", "Nama", "Name"),
    ("jpl.sort_unit", "Unit kerja", "Unit"),
    ("hist.files", "Unduh / cetak", "Download / print"),
    ("hist.met", "Terpenuhi", "Met"),
    (
        "trnf.targets_hint",
        "Pilih kompetensi yang dikembangkan pelatihan ini dan tingkat yang dicapai peserta yang lulus. Baris kosong dilewati; kompetensi lain dapat ditambahkan di halaman pelatihan.",
        "Choose the competencies this training develops and the level a participant who passes reaches. Empty rows are skipped; more can be added on the training's page.",
    ),
    (
        "trnf.err.target_row",
        "Pilih kompetensi dan tingkat targetnya, atau kosongkan baris ini.",
        "Choose a competency and its target level, or leave this row empty.",
    ),
    (
        "trnf.err.target_twice",
        "Kompetensi ini sudah dipilih di baris lain.",
        "This competency is already chosen in another row.",
    ),
    ("datef.format", "dd-mm-yyyy", "dd-mm-yyyy"),
];
