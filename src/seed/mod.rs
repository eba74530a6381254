//! The demo department: a Diskominfo like that of Bandung Regency. Deterministic: the same data
//! every time. Seeded in steps; each step runs once (recorded in `app_meta`), so later features
//! add their own step without touching what is there.

pub mod catalog;
pub mod descriptors;
mod development;
pub mod names;
mod org;
mod programmes;
mod siasn;
pub mod synthetic;
mod talent;

use sqlx::PgPool;

pub const DEMO_PASSWORD: &str = crate::auth::DEMO_PASSWORD;

/// (username, what the account is) for the README and the start-up banner.
pub const DEMO_LOGINS: &[(&str, &str)] = &[
    ("admin", "admin: accounts, settings, audit log"),
    ("kepegawaian", "hr: all records of the department"),
    ("kadis", "head: Kepala Dinas (whole department)"),
    ("kabid.aptika", "head: Kepala Bidang Aplikasi Informatika"),
    ("kabid.infra", "head: Kepala Bidang Infrastruktur TIK"),
    ("pegawai", "employee: a Pranata Komputer in Aplikasi Informatika"),
];

/// Deterministic pseudo-random numbers (xorshift64*), so the seed is the same every time.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % ((hi - lo + 1) as u64)) as i64
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[(self.next_u64() % items.len() as u64) as usize]
    }
}

const STEPS: &[&str] = &[
    "demo.org.v1",
    "demo.catalog.v1",
    "catalog.descriptors.v1",
    "demo.development.v1",
    "demo.programmes.v1",
    "demo.talent.v1",
    "demo.siasn.v1",
];

/// Apply the demo steps not applied yet. Returns whether anything was seeded.
pub async fn demo(pool: &PgPool) -> anyhow::Result<bool> {
    // The seeds read the rules (an IDP's informal JP, budgets): make sure they are there (nothing
    // is done when they are applied already).
    crate::app::rules::apply(pool).await?;
    let mut applied = false;
    for step in STEPS {
        let mut tx = pool.begin().await?;
        sqlx::query!("select pg_advisory_xact_lock(727001)").execute(&mut *tx).await?;
        let done = sqlx::query_scalar!(r#"select exists(select 1 from app_meta where key = $1) as "done!""#, *step,)
            .fetch_one(&mut *tx)
            .await?;
        if done {
            continue;
        }
        match *step {
            "demo.org.v1" => org::seed(&mut tx).await?,
            "demo.catalog.v1" => catalog::seed(&mut tx).await?,
            "demo.development.v1" => development::seed(&mut tx).await?,
            "demo.programmes.v1" => programmes::seed(&mut tx).await?,
            "demo.talent.v1" => talent::seed(&mut tx).await?,
            "catalog.descriptors.v1" => catalog::upgrade_descriptors(&mut tx).await?,
            "demo.siasn.v1" => siasn::seed(&mut tx).await?,
            other => anyhow::bail!("unknown seed step {other}"),
        }
        sqlx::query!("insert into app_meta (key, value) values ($1, now()::text)", *step,).execute(&mut *tx).await?;
        tx.commit().await?;
        applied = true;
    }
    Ok(applied)
}
