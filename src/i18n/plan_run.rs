//! Strings of next year's plan as a job: its wall-time limit, the frontier's marked points, and
//! `/gaps/mentors` as the mentor part of the plan.

pub const STRINGS: &[(&str, &str, &str)] = &[
    (
        "mentor.intro_plan",
        "Kesenjangan pegawai yang ditandai yang tidak ditutup pelatihan dalam rencana dipasangkan dengan rekan yang memiliki kompetensi itu pada tingkat yang disyaratkan atau lebih (unit yang sama didahulukan), paling banyak {cap} mentee per mentor dalam {days} hari, sehingga kesenjangan berbobot yang tertutup sebesar mungkin (penugasan tepat atas semua calon mentor). Bimbingan rekan dihitung menaikkan satu tingkat dalam setahun.",
        "The gaps of flagged staff that the plan's trainings do not close are paired with a colleague who holds the competency at the required level or above (same unit first), at most {cap} mentees per mentor in {days} days, so that the weighted gap covered is the largest possible (an exact assignment over every candidate mentor). A colleague's mentoring counts for one level in a year.",
    ),
    (
        "mentor.from_plan",
        "Ini bagian mentor dari rencana unit untuk {year} (anggaran {budget}) yang dihitung {when}: satu hasil dengan rencana, jadi kedua halaman menyebut mentor yang sama untuk kesenjangan yang sama.",
        "This is the mentor part of the unit's plan for {year} (budget {budget}) computed {when}: one result with the plan, so both pages name the same mentor for the same gap.",
    ),
    ("mentor.open_plan", "Buka rencana itu", "Open that plan"),
    (
        "mentor.no_plan",
        "Belum ada rencana yang dihitung untuk unit ini. Mentor dipilih bersama rencana (rekan mengambil apa yang tidak ditutup pelatihannya), jadi hitung rencananya dahulu.",
        "No plan has been computed for this unit yet. Mentors are chosen with the plan (colleagues take what its trainings leave), so compute the plan first.",
    ),
    ("mentor.compute", "Hitung rencana unit", "Compute the unit's plan"),
    ("mentor.pending", "Rencana unit ini sedang dihitung…", "This unit's plan is being computed…"),
    (
        "mentor.outdated_note",
        "Mentor di bawah ini dari rencana itu; hitung ulang untuk data sekarang.",
        "The mentors below are that plan's; compute again for the records as they are now.",
    ),
    ("mentor.of_left", "dari {total} yang disisakan pelatihan rencana", "of {total} the plan's trainings leave"),
    (
        "plan.point_start",
        "rencana awal (rencana sederhana atau rencana anggaran di bawahnya): belum diselesaikan dalam batas waktu",
        "its starting plan (the simple plan or the plan of the budget below): not solved within the time limit",
    ),
    (
        "plan.frontier_marked",
        "Titik bertanda * belum terbukti optimal: setiap titik adalah rencana yang layak (dalam anggaran, kursi, kelas dan batas per orang), dan kolom mutu menunjukkan paling jauh berapa dari optimum.",
        "Points marked * are not proven optimal: each is a feasible plan (within budget, seats, classes and the per-person cap), and the quality column says how far from the optimum it can be at most.",
    ),
    (
        "plan.all_mentors",
        "Semua {n} pasangan mentor rencana ini, dengan tautan untuk mengusulkan sesi",
        "All {n} mentor pairs of this plan, with links to propose a session",
    ),
    (
        "plan.cut_short",
        "Perhitungan berhenti pada batas waktunya ({s} detik); hasil terakhir yang lengkap disimpan.",
        "The computation stopped at its time limit ({s} s); its last complete result is kept.",
    ),
];
