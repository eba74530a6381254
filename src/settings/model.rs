//! The agency's settings as typed values, and a small cache so a page does not pay a round trip
//! for them. A save refreshes the cache at once; other portal nodes pick it up within `TTL`.

use std::{
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use sqlx::{PgExecutor, PgPool};

use crate::app::clock::TimeZone;

/// How long another node may show a setting saved elsewhere.
pub const TTL: Duration = Duration::from_secs(10);

/// Settings that change what the portal shows or computes.
#[derive(Clone, Debug, PartialEq)]
pub struct AgencySettings {
    /// The agency's name: top bar, page titles, exports and reports.
    pub department_name: String,
    /// The yearly minimum of competency development per employee, in JP (PP 11/2017 art. 203).
    pub jp_per_year: f64,
    /// The agency's time zone: what "today" and "this year" are.
    pub time_zone: TimeZone,
}

impl Default for AgencySettings {
    fn default() -> Self {
        Self {
            department_name: "Dinas Komunikasi, Informatika dan Statistik Kabupaten Bandung".into(),
            jp_per_year: 20.0,
            time_zone: TimeZone::Wib,
        }
    }
}

impl AgencySettings {
    /// Read the stored values; a value that does not parse keeps its default (and is logged).
    pub async fn load(conn: impl PgExecutor<'_>) -> Result<Self, sqlx::Error> {
        let rows = sqlx::query!("select key, value from settings").fetch_all(conn).await?;
        let mut s = Self::default();
        for (k, v) in rows.into_iter().map(|r| (r.key, r.value)) {
            let bad = || tracing::warn!(key = %k, value = %v, "setting ignored: not a valid value");
            match k.as_str() {
                "department_name" if !v.trim().is_empty() => s.department_name = v.clone(),
                "jp_per_year" => v.parse().map(|n| s.jp_per_year = n).unwrap_or_else(|_| bad()),
                "time_zone" => TimeZone::parse(&v).map(|t| s.time_zone = t).unwrap_or_else(bad),
                _ => {}
            }
        }
        Ok(s)
    }
}

/// When the settings were read, and what they were.
type Cached = Option<(Instant, Arc<AgencySettings>)>;

/// The settings of this node, refreshed after `TTL` or at once after a save.
#[derive(Clone, Default)]
pub struct SettingsCache {
    inner: Arc<RwLock<Cached>>,
}

impl SettingsCache {
    pub async fn get(&self, pool: &PgPool) -> Result<Arc<AgencySettings>, sqlx::Error> {
        if let Ok(guard) = self.inner.read()
            && let Some((at, s)) = guard.as_ref()
            && at.elapsed() < TTL
        {
            return Ok(s.clone());
        }
        let s = Arc::new(AgencySettings::load(pool).await?);
        self.put(s.clone());
        Ok(s)
    }

    pub fn put(&self, s: Arc<AgencySettings>) {
        if let Ok(mut guard) = self.inner.write() {
            *guard = Some((Instant::now(), s));
        }
    }

    pub fn invalidate(&self) {
        if let Ok(mut guard) = self.inner.write() {
            *guard = None;
        }
    }
}
