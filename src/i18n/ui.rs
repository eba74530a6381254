//! Strings of the "everyday use, round two" page work: forms in one pass, numbers and dates as
//! people write them, lists people act on (issue 25, items 4–7).

pub const STRINGS: &[(&str, &str, &str)] = &[
    ("jpl.sort", "Urutkan", "Sort by"),
    ("jpl.sort_shortfall", "Kekurangan JP terbesar", "Largest JP shortfall"),
    ("jpl.sort_name", "Nama", "Name"),
    ("jpl.sort_unit", "Unit kerja", "Unit"),
    ("hist.files", "Unduh / cetak", "Download / print"),
    ("hist.met", "Terpenuhi", "Met"),
];
