//! Indonesian (largely Sundanese) names for the demo data. A first name fits the person's sex (the
//! NIP's 15th digit: 1 male, 2 female); so does the second name: many are used by one sex only
//! (Hidayat, Permana, Saputra for men; Lestari, Rahmawati, Komalasari for women), a few by both
//! (the Batak family names of colleagues from North Sumatra, Kusumah, Purnama).

pub const MALE: &[&str] = &[
    "Asep", "Dadang", "Ujang", "Cecep", "Deden", "Agus", "Budi", "Rizal", "Hendra", "Yusuf", "Ridwan", "Dedi", "Iwan",
    "Fajar", "Galih", "Ilham", "Irfan", "Rudi", "Wahyu", "Yayan", "Engkos", "Aep", "Dodi", "Hadi", "Firman", "Gilang",
    "Rizky", "Taufik", "Zaenal", "Andri", "Bayu", "Eko", "Kurnia", "Nandang", "Rahmat", "Sandi",
];
pub const FEMALE: &[&str] = &[
    "Siti", "Neneng", "Euis", "Dewi", "Rina", "Lilis", "Nining", "Yanti", "Ani", "Rini", "Sri", "Tati", "Wulan",
    "Intan", "Nurul", "Fitri", "Ratna", "Diah", "Endah", "Gita", "Hana", "Ika", "Lina", "Maya", "Nia", "Puspa",
    "Rosita", "Sinta", "Tuti", "Yuli", "Ayu", "Citra", "Dian", "Elis", "Kartika", "Mira",
];
/// Second names men carry.
pub const FAMILY_MALE: &[&str] = &[
    "Sutisna",
    "Hidayat",
    "Permana",
    "Suryadi",
    "Kusnadi",
    "Setiawan",
    "Nugraha",
    "Gunawan",
    "Saputra",
    "Ramdhani",
    "Firmansyah",
    "Kurniawan",
    "Hermawan",
    "Supriatna",
    "Wijaya",
    "Maulana",
    "Sukmana",
    "Pratama",
    "Mulyana",
    "Sobari",
    "Hakim",
    "Iskandar",
    "Suhendar",
    "Rusmana",
    "Suganda",
    "Wiguna",
    "Hidayatullah",
    "Ruhiyat",
];
/// Second names women carry.
pub const FAMILY_FEMALE: &[&str] = &[
    "Rosdiana",
    "Komalasari",
    "Nurjanah",
    "Lestari",
    "Fauziah",
    "Apriliani",
    "Anggraeni",
    "Herdiana",
    "Rahayu",
    "Rahmawati",
    "Wulandari",
    "Purnamasari",
    "Kurniasih",
    "Handayani",
    "Susanti",
    "Marlina",
    "Nuraeni",
    "Hasanah",
    "Maryani",
    "Safitri",
    "Oktaviani",
    "Puspitasari",
    "Permatasari",
    "Septiani",
];
/// Second names carried by both.
pub const FAMILY_ANY: &[&str] = &["Kusumah", "Purnama", "Siregar", "Nasution", "Lubis", "Harahap"];

/// The first names and the second names that fit a sex (`true`: female).
pub fn for_sex(female: bool) -> (&'static [&'static str], Vec<&'static str>) {
    let own = if female { FAMILY_FEMALE } else { FAMILY_MALE };
    let family = own.iter().chain(FAMILY_ANY).copied().collect();
    (if female { FEMALE } else { MALE }, family)
}
