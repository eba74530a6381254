//! The five level descriptors of every competency of the default catalog: what a person at that
//! level actually does, produces and can be trusted with in a regional government ICT office.
//! Written for Cakap (SFIA and e-CF texts are licensed and stay out). HR can edit them.

/// (code, [(level 1..5: Bahasa Indonesia, English)])
pub type Descriptors = (&'static str, [(&'static str, &'static str); 5]);

pub const DESCRIPTORS: &[Descriptors] = &[
    (
        "INF-01",
        [
            (
                "Menyambungkan perangkat ke jaringan kantor, memeriksa kabel dan lampu indikator, dan melaporkan gangguan dengan keterangan yang jelas.",
                "Connects devices to the office network, checks cables and indicator lights, and reports faults with a clear description.",
            ),
            (
                "Mengatur alamat IP, VLAN dan akses Wi-Fi sesuai dokumentasi, serta memulihkan gangguan umum di satu gedung OPD dengan petunjuk.",
                "Sets IP addresses, VLANs and Wi-Fi access from the documentation and restores common faults in one agency building with guidance.",
            ),
            (
                "Mengelola switch, router dan firewall jaringan intra pemerintah daerah secara mandiri, membaca log, dan menyelesaikan gangguan lintas gedung.",
                "Runs the switches, routers and firewalls of the regency intranet on their own, reads the logs and fixes faults across buildings.",
            ),
            (
                "Merancang topologi dan segmentasi jaringan seluruh OPD, menetapkan standar konfigurasi, dan memimpin pemulihan gangguan besar.",
                "Designs the topology and segmentation of the network for all agencies, sets configuration standards and leads recovery from major outages.",
            ),
            (
                "Menetapkan arah jaringan kabupaten beberapa tahun ke depan (kapasitas, redundansi, kerja sama operator) dan menjadi rujukan OPD lain.",
                "Sets the regency network's direction for years ahead (capacity, redundancy, carrier agreements) and is the reference other agencies consult.",
            ),
        ],
    ),
    (
        "INF-02",
        [
            (
                "Memantau suhu, daya dan status server di ruang server, mencatat buku log, dan melapor bila ada alarm.",
                "Watches temperature, power and server status in the server room, keeps the log book and reports any alarm.",
            ),
            (
                "Memasang sistem operasi, menjalankan pencadangan terjadwal dan pembaruan keamanan server sesuai prosedur, dengan pengawasan.",
                "Installs operating systems, runs scheduled backups and security updates on servers by the procedure, under supervision.",
            ),
            (
                "Mengelola server aplikasi OPD dan pusat data secara mandiri: kapasitas, pemulihan dari cadangan yang diuji, dan penanganan insiden umum.",
                "Manages the agencies' application servers and the data centre on their own: capacity, restores from tested backups and common incidents.",
            ),
            (
                "Merancang tata letak, kelistrikan, pendinginan dan rencana pemulihan bencana pusat data, dan menetapkan standar operasinya.",
                "Designs the data centre's layout, power, cooling and disaster recovery plan, and sets its operating standards.",
            ),
            (
                "Menentukan strategi pusat data kabupaten (konsolidasi, Pusat Data Nasional, kolokasi) dan menjadi rujukan kebijakan infrastruktur SPBE.",
                "Decides the regency's data centre strategy (consolidation, the National Data Centre, colocation) and is the reference for SPBE infrastructure policy.",
            ),
        ],
    ),
    (
        "INF-03",
        [
            (
                "Menjalankan dan menghentikan mesin virtual dari konsol yang tersedia dan mengenali istilah dasar komputasi awan.",
                "Starts and stops virtual machines from the existing console and knows the basic terms of cloud computing.",
            ),
            (
                "Membuat mesin virtual dari templat, mengatur sumber daya dan snapshot sesuai permintaan OPD, dengan pengecekan rekan senior.",
                "Creates virtual machines from templates and sets resources and snapshots as agencies request, checked by a senior colleague.",
            ),
            (
                "Mengelola klaster virtualisasi dan layanan awan pemerintah secara mandiri, termasuk migrasi aplikasi dan pemantauan kinerja.",
                "Runs the virtualisation cluster and government cloud services on their own, including application migrations and performance monitoring.",
            ),
            (
                "Merancang arsitektur awan hibrida daerah, otomasi penyediaan dan pemisahan lingkungan, serta menetapkan standar keamanannya.",
                "Designs the regency's hybrid cloud architecture, automated provisioning and environment separation, and sets their security standards.",
            ),
            (
                "Menetapkan kebijakan pemanfaatan awan di kabupaten (biaya, kedaulatan data, keterhubungan dengan PDN) dan membimbing OPD lain.",
                "Sets the regency's policy for using cloud (cost, data sovereignty, links to the National Data Centre) and guides other agencies.",
            ),
        ],
    ),
    (
        "INF-04",
        [
            (
                "Menerima laporan pengguna, mencatatnya di layanan bantuan, dan menyelesaikan masalah sederhana seperti printer atau sandi.",
                "Takes users' reports, logs them in the help desk and solves simple problems such as printers or passwords.",
            ),
            (
                "Memasang dan mengatur komputer, surel dinas dan aplikasi kantor sesuai panduan, dan meneruskan masalah yang tidak bisa diselesaikan.",
                "Sets up computers, official e-mail and office applications from the guide and passes on problems they cannot solve.",
            ),
            (
                "Menyelesaikan sebagian besar permintaan layanan secara mandiri sesuai target waktu, menulis panduan untuk pengguna dan membimbing teknisi baru.",
                "Resolves most service requests on their own within target times, writes guides for users and coaches new technicians.",
            ),
            (
                "Mengatur alur layanan bantuan seluruh OPD, menetapkan target layanan, menganalisis masalah berulang dan memperbaikinya di sumbernya.",
                "Organises the help desk for all agencies, sets service targets, analyses recurring problems and fixes them at the source.",
            ),
            (
                "Merancang model dukungan TI kabupaten (layanan terpusat, basis pengetahuan, kerja sama pihak ketiga) dan menjadi rujukannya.",
                "Designs the regency's IT support model (a central service desk, knowledge base, third-party contracts) and is its reference.",
            ),
        ],
    ),
    (
        "SEC-01",
        [
            (
                "Mematuhi aturan keamanan informasi kantor: kata sandi kuat, layar terkunci, tidak membagikan data pribadi dan melaporkan kejadian mencurigakan.",
                "Follows the office's information security rules: strong passwords, locked screens, no sharing of personal data, and reports anything suspicious.",
            ),
            (
                "Menjalankan kontrol keamanan yang ditetapkan (hak akses, pencadangan, pembaruan) dan mengisi daftar periksa dengan bimbingan.",
                "Operates the controls in place (access rights, backups, updates) and fills in the checklists with guidance.",
            ),
            (
                "Menyusun daftar aset dan penilaian risiko satu layanan, memantau kepatuhan OPD dan menyiapkan bukti untuk penilaian indeks KAMI.",
                "Prepares the asset register and risk assessment of a service, monitors agencies' compliance and gathers evidence for the KAMI index assessment.",
            ),
            (
                "Merancang sistem manajemen keamanan informasi pemerintah daerah, kebijakan dan prosedurnya, dan memimpin audit internal.",
                "Designs the regency's information security management system with its policies and procedures, and leads internal audits.",
            ),
            (
                "Menetapkan strategi keamanan informasi kabupaten bersama pimpinan, menyelaraskannya dengan BSSN, dan menjadi rujukan di tingkat daerah.",
                "Sets the regency's information security strategy with its leaders, aligns it with BSSN and is the reference at regency level.",
            ),
        ],
    ),
    (
        "SEC-02",
        [
            (
                "Mengenali tanda insiden (surel phishing, situs diubah, akun dibobol) dan melaporkannya segera ke tim tanggap insiden.",
                "Recognises signs of an incident (phishing mail, a defaced site, a compromised account) and reports it at once to the response team.",
            ),
            (
                "Mengumpulkan log dan bukti awal sesuai panduan, mencatat kronologi, dan menjalankan langkah penahanan yang diperintahkan.",
                "Collects logs and first evidence by the guide, records the timeline and carries out the containment steps they are told to.",
            ),
            (
                "Menangani insiden umum secara mandiri dari deteksi sampai pemulihan, menulis laporan insiden dan berkoordinasi dengan CSIRT provinsi.",
                "Handles common incidents on their own from detection to recovery, writes the incident report and works with the provincial CSIRT.",
            ),
            (
                "Memimpin tim tanggap insiden (CSIRT) kabupaten, menyusun playbook, menangani insiden besar dan mengadakan latihan berkala.",
                "Leads the regency's incident response team (CSIRT), writes the playbooks, handles major incidents and runs regular exercises.",
            ),
            (
                "Membangun kemampuan tanggap insiden daerah dan jejaring dengan BSSN dan kabupaten lain, serta menjadi rujukan penanganan insiden kompleks.",
                "Builds the regency's incident response capability and its network with BSSN and other regencies, and is the reference for complex incidents.",
            ),
        ],
    ),
    (
        "SEC-03",
        [
            (
                "Memahami fungsi sertifikat elektronik dan tanda tangan elektronik (TTE), dan menggunakannya untuk dokumen sendiri sesuai petunjuk.",
                "Understands what electronic certificates and electronic signatures (TTE) are for, and uses them on their own documents as instructed.",
            ),
            (
                "Membantu pengguna mendaftar dan memakai sertifikat BSrE, menjalankan prosedur persandian dan pengamanan dokumen dengan bimbingan.",
                "Helps users enrol for and use BSrE certificates, and carries out cryptographic and document protection procedures with guidance.",
            ),
            (
                "Mengelola layanan TTE dan persandian OPD secara mandiri: verifikasi identitas, pencabutan sertifikat, dan integrasi TTE ke aplikasi.",
                "Runs the agencies' e-signature and cryptography services on their own: identity checks, certificate revocation and TTE integration into applications.",
            ),
            (
                "Merancang pola hubungan komunikasi sandi dan penerapan kriptografi pada sistem daerah, dan menetapkan standar pengamanannya.",
                "Designs the regency's secure communication arrangements and the use of cryptography in its systems, and sets their protection standards.",
            ),
            (
                "Menetapkan kebijakan persandian kabupaten sesuai ketentuan BSSN dan menjadi rujukan penerapan kriptografi bagi perangkat daerah.",
                "Sets the regency's cryptography policy in line with BSSN rules and is the reference for applying cryptography across the agencies.",
            ),
        ],
    ),
    (
        "SEC-04",
        [
            (
                "Memahami mengapa sistem perlu diuji keamanannya dan menjalankan pemindai kerentanan yang sudah disiapkan.",
                "Understands why systems need security testing and runs the prepared vulnerability scanner.",
            ),
            (
                "Menjalankan pemindaian kerentanan terjadwal atas aplikasi dan server, memilah temuan, dan meneruskannya ke pemilik sistem.",
                "Runs scheduled vulnerability scans of applications and servers, sorts the findings and passes them to the system owners.",
            ),
            (
                "Melakukan uji penetrasi aplikasi web OPD secara mandiri dengan metode baku, membuktikan temuan dan menyarankan perbaikan yang dapat dikerjakan.",
                "Performs penetration tests of agency web applications on their own with a standard method, proves findings and recommends workable fixes.",
            ),
            (
                "Merencanakan program pengujian keamanan tahunan, menguji sistem kritis dan infrastruktur, dan memastikan perbaikan ditutup.",
                "Plans the yearly security testing programme, tests critical systems and infrastructure, and makes sure fixes are closed.",
            ),
            (
                "Menetapkan kebijakan pengujian keamanan kabupaten (sebelum rilis, berkala, pihak ketiga) dan menjadi rujukan metode pengujian.",
                "Sets the regency's security testing policy (before release, periodic, third party) and is the reference for testing methods.",
            ),
        ],
    ),
    (
        "APL-01",
        [
            (
                "Mengubah isi dan tampilan sederhana situs web OPD melalui CMS dan mengenali HTML dan CSS dasar.",
                "Changes the content and simple layout of an agency website through its CMS and knows basic HTML and CSS.",
            ),
            (
                "Membuat halaman dan formulir sederhana serta memperbaiki bug kecil pada aplikasi web yang ada, dengan tinjauan kode dari rekan.",
                "Builds simple pages and forms and fixes small bugs in existing web applications, with a colleague reviewing the code.",
            ),
            (
                "Membangun aplikasi web layanan OPD secara mandiri dari kebutuhan sampai rilis: basis data, otentikasi, validasi masukan dan pengujian.",
                "Builds agency service web applications on their own from requirements to release: database, authentication, input validation and tests.",
            ),
            (
                "Merancang arsitektur aplikasi web daerah, menetapkan standar kode dan keamanan, meninjau pekerjaan tim dan vendor.",
                "Designs the regency's web application architecture, sets coding and security standards, and reviews the work of the team and vendors.",
            ),
            (
                "Menentukan platform dan kerangka pengembangan aplikasi kabupaten, mendorong pemakaian ulang antar-OPD dan menjadi rujukannya.",
                "Chooses the regency's development platforms and frameworks, drives reuse across agencies and is their reference.",
            ),
        ],
    ),
    (
        "APL-02",
        [
            (
                "Memasang dan menguji aplikasi bergerak pemerintah daerah di ponsel, dan melaporkan masalah yang ditemukan dengan tangkapan layar.",
                "Installs and tries the regency's mobile apps on phones and reports problems found, with screenshots.",
            ),
            (
                "Mengubah tampilan dan teks aplikasi bergerak yang ada serta menyiapkan rilis ke toko aplikasi dengan bimbingan.",
                "Changes screens and texts of existing mobile apps and prepares releases to the app stores with guidance.",
            ),
            (
                "Membangun fitur aplikasi bergerak secara mandiri, termasuk pemanggilan API, penyimpanan luring dan notifikasi, serta mengujinya.",
                "Builds mobile app features on their own, including API calls, offline storage and notifications, and tests them.",
            ),
            (
                "Merancang arsitektur aplikasi bergerak layanan publik, menetapkan standar keamanan dan aksesibilitas, dan memimpin tim pengembang.",
                "Designs the architecture of public service mobile apps, sets security and accessibility standards and leads the developers.",
            ),
            (
                "Menentukan strategi aplikasi bergerak kabupaten (satu aplikasi super atau terpisah, web atau native) dan menjadi rujukannya.",
                "Decides the regency's mobile strategy (one super app or several, web or native) and is its reference.",
            ),
        ],
    ),
    (
        "APL-03",
        [
            (
                "Memahami tahapan pengembangan perangkat lunak dan menjalankan skenario uji yang sudah ditulis, mencatat hasilnya.",
                "Understands the stages of software development and runs written test scenarios, recording the results.",
            ),
            (
                "Menulis skenario uji dan uji otomatis sederhana, memakai Git untuk perubahan kode, dan mengikuti tinjauan kode.",
                "Writes test scenarios and simple automated tests, uses Git for code changes and takes part in code review.",
            ),
            (
                "Menerapkan rekayasa perangkat lunak secara mandiri: analisis kebutuhan, desain, uji otomatis, integrasi berkelanjutan dan dokumentasi.",
                "Applies software engineering on their own: requirements, design, automated tests, continuous integration and documentation.",
            ),
            (
                "Menetapkan proses pengembangan dan pengujian tim (definisi selesai, cakupan uji, rilis), mengukur mutu dan memperbaikinya.",
                "Sets the team's development and testing process (definition of done, test coverage, releases), measures quality and improves it.",
            ),
            (
                "Menetapkan standar rekayasa perangkat lunak kabupaten, termasuk untuk pekerjaan vendor, dan menjadi rujukan mutu aplikasi.",
                "Sets the regency's software engineering standards, vendors' work included, and is the reference for application quality.",
            ),
        ],
    ),
    (
        "APL-04",
        [
            (
                "Memahami bahwa aplikasi OPD saling bertukar data dan mengenali istilah API, web service dan format JSON.",
                "Understands that agency applications exchange data and knows the terms API, web service and JSON.",
            ),
            (
                "Menguji dan memantau API yang ada, membaca dokumentasinya, dan mencatat kegagalan pertukaran data dengan bimbingan.",
                "Tests and monitors existing APIs, reads their documentation and records failed data exchanges with guidance.",
            ),
            (
                "Membangun integrasi antar-aplikasi secara mandiri melalui API dan layanan penghubung, termasuk ke sistem pusat (SIASN, Dukcapil).",
                "Builds integrations between applications on their own through APIs and the service bus, including to central systems (SIASN, Dukcapil).",
            ),
            (
                "Merancang arsitektur interoperabilitas daerah, katalog API dan standar pertukaran data, serta meninjau integrasi vendor.",
                "Designs the regency's interoperability architecture, API catalogue and data exchange standards, and reviews vendors' integrations.",
            ),
            (
                "Menetapkan kebijakan interoperabilitas kabupaten sejalan dengan arsitektur SPBE nasional dan menjadi rujukannya.",
                "Sets the regency's interoperability policy in line with the national SPBE architecture and is its reference.",
            ),
        ],
    ),
    (
        "APL-05",
        [
            (
                "Memakai aplikasi layanan seperti warga memakainya dan mencatat bagian yang membingungkan atau tidak terbaca.",
                "Uses service applications as a citizen would and notes what is confusing or unreadable.",
            ),
            (
                "Membuat sketsa dan purwarupa layar sederhana berdasarkan contoh yang ada dan memperbaikinya dari masukan.",
                "Sketches and prototypes simple screens from existing examples and improves them from feedback.",
            ),
            (
                "Merancang antarmuka layanan secara mandiri: riset pengguna singkat, purwarupa, uji kegunaan dan aksesibilitas (WCAG).",
                "Designs service interfaces on their own: short user research, prototypes, usability and accessibility (WCAG) tests.",
            ),
            (
                "Menyusun sistem desain antarmuka daerah dan pedoman bahasa layanan, serta meninjau rancangan tim dan vendor.",
                "Builds the regency's interface design system and plain-language guide, and reviews the designs of the team and vendors.",
            ),
            (
                "Menjadikan pengalaman warga ukuran mutu layanan digital kabupaten dan menjadi rujukan desain layanan di daerah.",
                "Makes citizens' experience the measure of the regency's digital services and is the reference for service design.",
            ),
        ],
    ),
    (
        "DAT-01",
        [
            (
                "Mencari dan mengekspor data dari aplikasi yang ada dan memahami tabel, kolom dan kunci dalam basis data.",
                "Finds and exports data from existing applications and understands tables, columns and keys in a database.",
            ),
            (
                "Menulis kueri SQL untuk laporan, menjalankan pencadangan dan pemulihan basis data sesuai prosedur, dengan bimbingan.",
                "Writes SQL queries for reports and runs database backups and restores by the procedure, with guidance.",
            ),
            (
                "Mengelola basis data aplikasi OPD secara mandiri: skema, indeks, kinerja kueri, hak akses dan pemulihan yang diuji.",
                "Manages agency application databases on their own: schema, indexes, query performance, access rights and tested restores.",
            ),
            (
                "Merancang model data dan arsitektur basis data daerah, replikasi dan ketersediaan tinggi, serta menetapkan standarnya.",
                "Designs the regency's data models and database architecture, replication and high availability, and sets their standards.",
            ),
            (
                "Menetapkan strategi platform data kabupaten dan menjadi rujukan pengelolaan basis data bagi seluruh OPD.",
                "Sets the regency's data platform strategy and is the reference for database management across the agencies.",
            ),
        ],
    ),
    (
        "DAT-02",
        [
            (
                "Membaca tabel dan grafik data layanan dan menyiapkan rekap sederhana di lembar kerja.",
                "Reads tables and charts of service data and prepares simple summaries in a spreadsheet.",
            ),
            (
                "Membersihkan data, membuat tabel pivot dan grafik untuk laporan rutin OPD dengan arahan.",
                "Cleans data and builds pivot tables and charts for the agencies' routine reports as directed.",
            ),
            (
                "Menganalisis data secara mandiri untuk menjawab pertanyaan pimpinan dan membangun dasbor yang dipakai OPD.",
                "Analyses data on their own to answer the leaders' questions and builds dashboards the agencies use.",
            ),
            (
                "Merancang analisis lintas sektor dan indikator kinerja daerah, memilih metode yang tepat dan menjaga keterbacaan hasilnya.",
                "Designs cross-sector analyses and the regency's performance indicators, chooses the right methods and keeps results readable.",
            ),
            (
                "Menjadikan analisis data dasar pengambilan keputusan kabupaten dan menjadi rujukan metode analisis dan visualisasi.",
                "Makes data analysis the basis of the regency's decisions and is the reference for analysis and visualisation methods.",
            ),
        ],
    ),
    (
        "DAT-03",
        [
            (
                "Memahami konsep statistik dasar (rata-rata, persentase, sumber data) dan mengumpulkan data sektoral sesuai formulir.",
                "Understands basic statistical concepts (averages, percentages, sources) and collects sectoral data on the forms.",
            ),
            (
                "Mengolah data sektoral OPD, memeriksa konsistensinya dan menyusun tabel publikasi dengan bimbingan.",
                "Processes the agencies' sectoral data, checks its consistency and prepares publication tables with guidance.",
            ),
            (
                "Menyelenggarakan statistik sektoral secara mandiri: metadata kegiatan, rekomendasi BPS, dan publikasi seperti Kabupaten Dalam Angka.",
                "Runs sectoral statistics on their own: activity metadata, BPS recommendations and publications such as the Regency in Figures.",
            ),
            (
                "Merancang survei dan kompilasi data sektoral daerah, menjaga mutu metodologinya dan membina statistisi OPD.",
                "Designs the regency's surveys and data compilations, safeguards their methodology and mentors the agencies' statisticians.",
            ),
            (
                "Menetapkan program statistik sektoral kabupaten bersama BPS dan menjadi rujukan statistik daerah.",
                "Sets the regency's sectoral statistics programme with BPS and is the reference for regional statistics.",
            ),
        ],
    ),
    (
        "DAT-04",
        [
            (
                "Memahami prinsip Satu Data Indonesia (standar data, metadata, interoperabilitas, kode referensi).",
                "Understands the principles of One Data Indonesia (data standards, metadata, interoperability, reference codes).",
            ),
            (
                "Mengisi metadata dan mengunggah data ke portal Satu Data daerah sesuai standar, dengan pemeriksaan walidata.",
                "Fills in metadata and uploads data to the regency's One Data portal by the standards, checked by the data steward.",
            ),
            (
                "Menjalankan peran walidata secara mandiri: memeriksa data produsen, menjaga daftar data dan kalender rilis.",
                "Acts as data steward on their own: checks producers' data, keeps the data list and the release calendar.",
            ),
            (
                "Merancang tata kelola data daerah (peran, standar, kualitas, akses) dan memimpin forum Satu Data kabupaten.",
                "Designs the regency's data governance (roles, standards, quality, access) and leads its One Data forum.",
            ),
            (
                "Menetapkan kebijakan data kabupaten, termasuk data terbuka dan pelindungan data pribadi, dan menjadi rujukannya.",
                "Sets the regency's data policy, open data and personal data protection included, and is its reference.",
            ),
        ],
    ),
    (
        "SPB-01",
        [
            (
                "Mengetahui layanan SPBE yang dikelola dinas dan tempat melapor bila layanan terganggu.",
                "Knows the e-government services the department runs and where to report when one fails.",
            ),
            (
                "Mencatat permintaan dan gangguan layanan SPBE, memantau ketersediaannya dan memberi tahu pengguna dengan bimbingan.",
                "Logs requests and failures of e-government services, watches their availability and informs users with guidance.",
            ),
            (
                "Mengelola satu atau lebih layanan SPBE secara mandiri sesuai target layanan, termasuk perubahan, gangguan dan laporan bulanan.",
                "Runs one or more e-government services on their own to service targets, including changes, incidents and monthly reports.",
            ),
            (
                "Merancang katalog dan tingkat layanan SPBE daerah, mengukur kepuasan dan memimpin perbaikan layanan.",
                "Designs the regency's e-government service catalogue and service levels, measures satisfaction and leads improvement.",
            ),
            (
                "Menetapkan manajemen layanan SPBE kabupaten dan menyiapkan penilaian evaluasi SPBE, menjadi rujukan di daerah.",
                "Sets the regency's e-government service management, prepares the SPBE evaluation and is the reference in the region.",
            ),
        ],
    ),
    (
        "SPB-02",
        [
            (
                "Memahami tujuan arsitektur SPBE dan istilah dasarnya (proses bisnis, layanan, data, aplikasi, infrastruktur).",
                "Understands what the SPBE architecture is for and its basic terms (business processes, services, data, applications, infrastructure).",
            ),
            (
                "Mengumpulkan data inventaris aplikasi dan proses bisnis OPD untuk arsitektur SPBE dengan bimbingan.",
                "Collects the agencies' application and business process inventories for the SPBE architecture with guidance.",
            ),
            (
                "Menyusun bagian arsitektur dan peta rencana SPBE daerah secara mandiri dan memeriksa usulan aplikasi baru terhadapnya.",
                "Writes parts of the regency's SPBE architecture and roadmap on their own and checks new application proposals against it.",
            ),
            (
                "Memimpin penyusunan arsitektur dan peta rencana SPBE kabupaten dan menyelaraskannya dengan arsitektur nasional.",
                "Leads the writing of the regency's SPBE architecture and roadmap and aligns them with the national architecture.",
            ),
            (
                "Menentukan arah transformasi digital pemerintahan kabupaten bersama pimpinan dan menjadi rujukan perencanaan SPBE.",
                "Sets the direction of the regency's digital government with its leaders and is the reference for SPBE planning.",
            ),
        ],
    ),
    (
        "TKL-01",
        [
            (
                "Mengetahui kebijakan dan prosedur TI yang berlaku di dinas dan mengikutinya dalam pekerjaan sehari-hari.",
                "Knows the IT policies and procedures in force in the department and follows them in daily work.",
            ),
            (
                "Menyiapkan dokumen dan bukti tata kelola TI (prosedur, log, laporan) untuk penilaian dan audit dengan arahan.",
                "Prepares IT governance documents and evidence (procedures, logs, reports) for assessments and audits as directed.",
            ),
            (
                "Menyusun dan memperbarui prosedur TI secara mandiri, memantau kepatuhan OPD dan menindaklanjuti temuan audit.",
                "Writes and updates IT procedures on their own, monitors agencies' compliance and follows up audit findings.",
            ),
            (
                "Merancang kerangka tata kelola TI daerah (peran, komite, kebijakan, manajemen risiko) dan memimpin penerapannya.",
                "Designs the regency's IT governance framework (roles, committee, policies, risk management) and leads its use.",
            ),
            (
                "Menetapkan tata kelola TI kabupaten bersama pimpinan dan menjadi rujukan penerapannya di seluruh perangkat daerah.",
                "Sets the regency's IT governance with its leaders and is the reference for applying it across all agencies.",
            ),
        ],
    ),
    (
        "TKL-02",
        [
            (
                "Mengerjakan tugas proyek yang diberikan sesuai jadwal dan melaporkan kemajuan dan hambatan.",
                "Does the project tasks given on schedule and reports progress and obstacles.",
            ),
            (
                "Mencatat jadwal, notulen, risiko dan perubahan proyek TI kecil dan menyiapkan laporan kemajuan dengan bimbingan.",
                "Keeps the schedule, minutes, risks and changes of small IT projects and prepares progress reports with guidance.",
            ),
            (
                "Mengelola proyek TI OPD secara mandiri dari rencana sampai serah terima: lingkup, jadwal, anggaran, vendor dan risiko.",
                "Manages agency IT projects on their own from plan to handover: scope, schedule, budget, vendors and risks.",
            ),
            (
                "Mengelola portofolio proyek TI daerah, menetapkan metode manajemen proyek dan membina para manajer proyek.",
                "Manages the regency's IT project portfolio, sets the project management method and mentors the project managers.",
            ),
            (
                "Menentukan prioritas investasi TI kabupaten dan menjadi rujukan pengelolaan proyek dan program TI.",
                "Decides the regency's IT investment priorities and is the reference for managing IT projects and programmes.",
            ),
        ],
    ),
    (
        "TKL-03",
        [
            (
                "Memahami tahapan pengadaan barang/jasa pemerintah dan peran PPK, pokja dan LPSE.",
                "Understands the stages of government procurement and the roles of the commitment officer, the selection team and LPSE.",
            ),
            (
                "Menyiapkan dokumen pengadaan TIK sederhana (spesifikasi, HPS) dan memakai e-katalog dengan bimbingan.",
                "Prepares simple ICT procurement documents (specifications, owner's estimate) and uses the e-catalogue with guidance.",
            ),
            (
                "Menyusun spesifikasi teknis dan HPS pengadaan TIK secara mandiri, mengevaluasi penawaran dan memeriksa hasil pekerjaan.",
                "Writes technical specifications and estimates for ICT procurement on their own, evaluates bids and checks delivered work.",
            ),
            (
                "Merancang strategi pengadaan TIK daerah (konsolidasi, lisensi, kontrak layanan) dan meninjau kontrak besar.",
                "Designs the regency's ICT procurement strategy (consolidation, licences, service contracts) and reviews major contracts.",
            ),
            (
                "Menetapkan kebijakan pengadaan TIK kabupaten dan menjadi rujukan pengadaan TIK bagi OPD lain.",
                "Sets the regency's ICT procurement policy and is the reference for ICT procurement across the agencies.",
            ),
        ],
    ),
    (
        "KOM-01",
        [
            (
                "Mengetahui hak warga atas informasi publik dan meneruskan permohonan informasi ke PPID.",
                "Knows citizens' right to public information and passes information requests to the PPID.",
            ),
            (
                "Mencatat permohonan informasi, menyiapkan jawaban dan mengunggah informasi berkala sesuai daftar dengan bimbingan.",
                "Logs information requests, prepares answers and publishes periodic information from the list with guidance.",
            ),
            (
                "Mengelola layanan informasi publik secara mandiri sesuai UU KIP: uji konsekuensi, daftar informasi publik dan tenggat jawaban.",
                "Runs the public information service on their own under the Freedom of Information Act: consequence tests, the information list and deadlines.",
            ),
            (
                "Merancang tata kelola PPID kabupaten dan membina PPID pelaksana di OPD, termasuk penanganan keberatan.",
                "Designs the regency's PPID arrangements and mentors the agencies' PPID officers, objections included.",
            ),
            (
                "Menetapkan kebijakan keterbukaan informasi kabupaten dan menjadi rujukan sengketa dan penilaian keterbukaan informasi.",
                "Sets the regency's information openness policy and is the reference in disputes and openness assessments.",
            ),
        ],
    ),
    (
        "KOM-02",
        [
            (
                "Mengikuti akun media sosial resmi pemerintah daerah dan meneruskan pertanyaan warga kepada admin.",
                "Follows the regency's official social media accounts and passes citizens' questions to the admin.",
            ),
            (
                "Menjadwalkan unggahan, menjawab pertanyaan umum warga dan mencatat isu yang ramai dengan arahan.",
                "Schedules posts, answers common citizen questions and records trending issues as directed.",
            ),
            (
                "Mengelola kanal komunikasi digital secara mandiri: kalender konten, respons cepat, pemantauan isu dan laporan kinerja.",
                "Runs digital communication channels on their own: content calendar, quick responses, issue monitoring and performance reports.",
            ),
            (
                "Merancang strategi komunikasi digital daerah dan penanganan krisis komunikasi, dan membina admin media sosial OPD.",
                "Designs the regency's digital communication strategy and crisis communication, and mentors the agencies' social media admins.",
            ),
            (
                "Menetapkan kebijakan komunikasi digital kabupaten dan menjadi rujukan komunikasi publik di daerah.",
                "Sets the regency's digital communication policy and is the reference for public communication in the region.",
            ),
        ],
    ),
    (
        "KOM-03",
        [
            (
                "Mengambil foto dan video kegiatan dengan peralatan kantor sesuai arahan.",
                "Takes photos and videos of events with the office equipment as directed.",
            ),
            (
                "Menyunting foto, video dan infografis sederhana memakai templat yang ada dan sesuai identitas visual daerah.",
                "Edits photos, videos and simple infographics from existing templates and in the regency's visual identity.",
            ),
            (
                "Memproduksi konten multimedia secara mandiri dari naskah sampai publikasi, termasuk takarir dan teks alternatif.",
                "Produces multimedia content on their own from script to publication, captions and alt text included.",
            ),
            (
                "Merancang format dan standar produksi konten daerah, memimpin produksi besar dan membina kreator konten.",
                "Designs the regency's content formats and production standards, leads major productions and mentors content creators.",
            ),
            (
                "Menentukan arah konten kreatif kabupaten dan menjadi rujukan produksi multimedia di daerah.",
                "Sets the regency's creative content direction and is the reference for multimedia production in the region.",
            ),
        ],
    ),
    (
        "MNJ-01",
        [
            (
                "Bekerja jujur dan sesuai aturan, tidak menerima pemberian terkait tugas dan melaporkan konflik kepentingan.",
                "Works honestly and by the rules, accepts no gifts linked to duties and reports conflicts of interest.",
            ),
            (
                "Konsisten menepati komitmen dan menjaga kerahasiaan data, serta mengingatkan rekan yang menyimpang dari aturan.",
                "Keeps commitments consistently and protects confidential data, and reminds colleagues who stray from the rules.",
            ),
            (
                "Menjadi teladan integritas di unit, menolak tekanan untuk menyimpang dan menangani pelanggaran kecil dengan tegas.",
                "Sets the example of integrity in the unit, resists pressure to bend the rules and deals firmly with small breaches.",
            ),
            (
                "Membangun sistem kerja yang mencegah penyimpangan (pemisahan tugas, jejak audit, keterbukaan) di satuan kerja.",
                "Builds ways of working that prevent misconduct (separation of duties, audit trails, openness) in the unit.",
            ),
            (
                "Menjaga budaya integritas instansi, mengambil keputusan sulit secara terbuka dan menjadi rujukan etika di daerah.",
                "Upholds the agency's culture of integrity, takes hard decisions openly and is the ethical reference in the regency.",
            ),
        ],
    ),
    (
        "MNJ-02",
        [
            (
                "Menyelesaikan bagian tugas sendiri dalam tim dan berbagi informasi yang diperlukan rekan.",
                "Finishes their own part of the team's work and shares the information colleagues need.",
            ),
            (
                "Aktif membantu rekan, menerima pendapat berbeda dan ikut menyelesaikan masalah tim.",
                "Helps colleagues actively, accepts different views and helps solve the team's problems.",
            ),
            (
                "Menggerakkan kerja sama lintas seksi atau OPD untuk tujuan bersama dan meredakan perbedaan.",
                "Drives cooperation across sections or agencies toward shared goals and settles differences.",
            ),
            (
                "Membangun tim lintas fungsi dan kemitraan dengan pihak luar (vendor, perguruan tinggi, komunitas).",
                "Builds cross-functional teams and partnerships with outside parties (vendors, universities, communities).",
            ),
            (
                "Membangun jejaring kerja sama strategis tingkat daerah dan nasional yang memperkuat instansi.",
                "Builds strategic partnerships at regency and national level that strengthen the agency.",
            ),
        ],
    ),
    (
        "MNJ-03",
        [
            (
                "Menyampaikan informasi dengan jelas secara lisan dan tertulis kepada rekan dan atasan.",
                "Gets information across clearly, spoken and written, to colleagues and superiors.",
            ),
            (
                "Menyusun surat, laporan dan paparan yang runtut dan mendengarkan dengan saksama sebelum menjawab.",
                "Writes well-ordered letters, reports and presentations and listens carefully before answering.",
            ),
            (
                "Menjelaskan hal teknis kepada pengguna nonteknis dan memimpin rapat yang menghasilkan keputusan.",
                "Explains technical matters to non-technical users and chairs meetings that end in decisions.",
            ),
            (
                "Meyakinkan pimpinan dan pemangku kepentingan dengan argumen berbasis data dan menangani percakapan sulit.",
                "Convinces leaders and stakeholders with data-based arguments and handles difficult conversations.",
            ),
            (
                "Mewakili instansi di forum daerah dan nasional dan membentuk opini publik tentang layanan digital daerah.",
                "Represents the agency in regional and national forums and shapes public opinion on the regency's digital services.",
            ),
        ],
    ),
    (
        "MNJ-04",
        [
            (
                "Menyelesaikan tugas sesuai target waktu dan mutu yang ditetapkan atasan.",
                "Completes tasks to the time and quality targets set by the superior.",
            ),
            (
                "Menetapkan target kerja sendiri, memantau kemajuannya dan mencari cara kerja yang lebih cepat.",
                "Sets their own work targets, tracks progress and looks for faster ways of working.",
            ),
            (
                "Menetapkan dan mencapai target unit yang terukur dan memperbaiki proses yang menghambat hasil.",
                "Sets and meets measurable unit targets and fixes the processes that hold results back.",
            ),
            (
                "Menyusun indikator kinerja bidang, mengalokasikan sumber daya untuk hasil terbesar dan mengevaluasinya.",
                "Draws up the division's performance indicators, allocates resources for the greatest results and evaluates them.",
            ),
            (
                "Menetapkan sasaran strategis instansi dan mengarahkan seluruh unit untuk mencapainya.",
                "Sets the agency's strategic goals and steers every unit toward them.",
            ),
        ],
    ),
    (
        "MNJ-05",
        [
            (
                "Melayani warga dan pengguna dengan sopan, tepat waktu dan sesuai standar pelayanan.",
                "Serves citizens and users politely, on time and to the service standard.",
            ),
            (
                "Menindaklanjuti keluhan pengguna sampai selesai dan memberi kabar tentang perkembangannya.",
                "Follows user complaints through to the end and keeps users informed of progress.",
            ),
            (
                "Memperbaiki layanan dari keluhan dan survei kepuasan, serta menyederhanakan prosedur layanan unit.",
                "Improves services from complaints and satisfaction surveys and simplifies the unit's service procedures.",
            ),
            (
                "Merancang standar pelayanan dan inovasi layanan bidang, dan memastikan layanan mudah diakses semua warga.",
                "Designs the division's service standards and innovations and makes sure services are easy for every citizen to use.",
            ),
            (
                "Menetapkan kebijakan pelayanan publik instansi yang berpusat pada warga dan menjadi rujukan di daerah.",
                "Sets the agency's citizen-centred public service policy and is the reference in the regency.",
            ),
        ],
    ),
    (
        "MNJ-06",
        [
            (
                "Mengikuti pengembangan yang ditugaskan dan menerapkan hal baru yang dipelajari dalam pekerjaan.",
                "Takes part in assigned development and applies what they learn in their work.",
            ),
            (
                "Mencari sendiri kesempatan belajar, meminta umpan balik dan berbagi pengetahuan dengan rekan.",
                "Seeks learning opportunities, asks for feedback and shares knowledge with colleagues.",
            ),
            (
                "Membimbing dan melatih rekan kerja, dan menyusun rencana pengembangan diri yang terukur.",
                "Mentors and coaches colleagues and keeps a measurable personal development plan.",
            ),
            (
                "Memetakan kebutuhan kompetensi tim dan mengatur pengembangannya, klasikal maupun nonklasikal.",
                "Maps the team's competency needs and organises their development, formal and informal.",
            ),
            (
                "Membangun budaya belajar dan kaderisasi talenta digital instansi.",
                "Builds the agency's learning culture and its pipeline of digital talent.",
            ),
        ],
    ),
    (
        "MNJ-07",
        [
            (
                "Menerima perubahan cara kerja dan sistem baru dan menyesuaikan diri dengan bimbingan.",
                "Accepts changes in ways of working and new systems and adapts with guidance.",
            ),
            (
                "Mempelajari sistem baru dengan cepat dan membantu rekan beradaptasi.",
                "Learns new systems quickly and helps colleagues adapt.",
            ),
            (
                "Memimpin penerapan perubahan di unit: menjelaskan alasannya, menangani penolakan dan memantau hasilnya.",
                "Leads change in the unit: explains why, handles resistance and watches the results.",
            ),
            (
                "Merancang dan mengelola program perubahan lintas unit, seperti migrasi sistem atau penyederhanaan birokrasi.",
                "Designs and manages change programmes across units, such as system migrations or bureaucratic simplification.",
            ),
            (
                "Memimpin transformasi instansi dan menjaga arah perubahan yang berkelanjutan.",
                "Leads the agency's transformation and keeps its change on a lasting course.",
            ),
        ],
    ),
    (
        "MNJ-08",
        [
            (
                "Mengambil keputusan rutin sesuai prosedur dan meneruskan yang di luar kewenangan kepada atasan.",
                "Makes routine decisions by the procedure and passes those beyond their authority to the superior.",
            ),
            (
                "Membandingkan beberapa pilihan dengan data sederhana sebelum memutuskan hal di lingkup kerjanya.",
                "Compares options with simple data before deciding matters within their work.",
            ),
            (
                "Memutuskan masalah unit berdasarkan data dan risiko, dan menjelaskan alasannya kepada tim.",
                "Decides the unit's problems on data and risks and explains the reasons to the team.",
            ),
            (
                "Mengambil keputusan bidang dalam ketidakpastian, menimbang dampak lintas unit dan bertanggung jawab atasnya.",
                "Takes the division's decisions under uncertainty, weighs effects across units and answers for them.",
            ),
            (
                "Mengambil keputusan strategis instansi yang berdampak luas dan menjadi rujukan pertimbangan pimpinan daerah.",
                "Takes the agency's far-reaching strategic decisions and is a reference for the regency's leaders.",
            ),
        ],
    ),
    (
        "SK-01",
        [
            (
                "Menghargai rekan dan warga dari latar belakang apa pun dan melayani tanpa membeda-bedakan.",
                "Respects colleagues and citizens of every background and serves without discrimination.",
            ),
            (
                "Bekerja sama dengan rekan yang berbeda latar belakang dan menghindari ucapan yang memecah belah.",
                "Works with colleagues of different backgrounds and avoids divisive talk.",
            ),
            (
                "Membangun suasana kerja yang inklusif di unit dan menengahi perbedaan dengan adil.",
                "Builds an inclusive working atmosphere in the unit and mediates differences fairly.",
            ),
            (
                "Memastikan layanan dan kebijakan bidang menjangkau semua kelompok warga, termasuk yang rentan.",
                "Makes sure the division's services and policies reach every group of citizens, the vulnerable included.",
            ),
            (
                "Menjadi perekat berbagai kelompok di daerah dan menjaga persatuan dalam pelayanan publik.",
                "Brings the regency's different groups together and keeps public service a force for unity.",
            ),
        ],
    ),
];

/// The descriptors of one competency of the default catalog.
pub fn of(code: &str) -> Option<&'static [(&'static str, &'static str); 5]> {
    DESCRIPTORS.iter().find(|(c, _)| *c == code).map(|(_, d)| d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalog_competency_has_five_distinct_descriptors_in_both_languages() {
        for entry in super::super::catalog::CATALOG {
            let d = of(entry.0).unwrap_or_else(|| panic!("descriptors for {}", entry.0));
            for (i, (id, en)) in d.iter().enumerate() {
                assert!(id.len() > 40 && en.len() > 40, "{} level {}: too short", entry.0, i + 1);
                assert!(id.len() <= 1000 && en.len() <= 1000);
            }
            let mut ids: Vec<&str> = d.iter().map(|x| x.0).collect();
            ids.dedup();
            assert_eq!(ids.len(), 5, "{}: levels differ", entry.0);
        }
        assert_eq!(DESCRIPTORS.len(), super::super::catalog::CATALOG.len());
    }
}
