//! Password hashing (argon2id, OWASP parameters, bounded per node) and the rules for new passwords.
//!
//! Every hash and verification runs through one [`HashPool`]: at most as many at once as the node
//! has cores, each on a blocking thread with a working memory allocated once and reused. A flood of
//! sign-ins therefore waits in line (or is told the server is busy) instead of allocating 19 MiB per
//! request, which is what took a probed portal from 28 MB to 2.2 GB.

use std::{
    sync::{
        LazyLock, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use argon2::{
    ARGON2ID_IDENT, Algorithm, Argon2, Block, Params, PasswordHash, Version,
    password_hash::{Output, ParamsString, SaltString},
};
use subtle::ConstantTimeEq as _;
use tokio::sync::Semaphore;

/// argon2id with m = 19 MiB, t = 2, p = 1: the first of the equivalent configurations the OWASP
/// Password Storage Cheat Sheet recommends. Its memory (19 MiB per running check) is what the pool
/// below bounds; t = 2 keeps one check at ~30–60 ms on this class of machine, so a node with two
/// cores verifies ~40 sign-ins a second, which is plenty for a department and slow for a guesser.
const M_COST_KIB: u32 = 19 * 1024;
const T_COST: u32 = 2;
const P_COST: u32 = 1;
const OUTPUT_LEN: usize = 32;

/// A stored hash asking for more memory than this (a tampered or foreign row) is not computed.
const MAX_M_COST_KIB: u32 = 64 * 1024;
const MAX_T_COST: u32 = 10;

/// The longest password a sign-in checks (bytes); a longer one is refused without hashing. New
/// passwords are held to `MAX_LEN` characters.
pub const MAX_CHECKED_BYTES: usize = 1024;

/// How long a sign-in waits for a free hashing slot before it is told the server is busy.
const WAIT: Duration = Duration::from_secs(10);
/// How many may wait at once; beyond it the answer is "busy" at once, costing nothing.
const MAX_WAITING: usize = 256;

fn params() -> Params {
    Params::new(M_COST_KIB, T_COST, P_COST, Some(OUTPUT_LEN)).unwrap_or_default()
}

/// The server has no free hashing slot now: the caller answers 503 with Retry-After.
#[derive(Debug, thiserror::Error)]
#[error("all password hashing slots are busy")]
pub struct Busy;

/// At most `slots` argon2 computations at once, each with its own reusable working memory.
struct HashPool {
    permits: Semaphore,
    memory: Mutex<Vec<Vec<Block>>>,
    waiting: AtomicUsize,
}

static POOL: LazyLock<HashPool> = LazyLock::new(|| {
    let slots = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).clamp(1, 8);
    HashPool { permits: Semaphore::new(slots), memory: Mutex::new(Vec::new()), waiting: AtomicUsize::new(0) }
});

/// Counts a caller as waiting for as long as it lives: a request dropped while it waits (the
/// client went away, the request timed out) stops counting too.
struct Waiting(&'static AtomicUsize);

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl HashPool {
    /// Run `f` with a working memory on a blocking thread once a slot is free. The slot and the
    /// memory travel with the blocking task, so a request dropped while its hash runs keeps the
    /// slot taken until the hash is done: the bound holds whatever the clients do.
    async fn run<T: Send + 'static>(
        &'static self,
        f: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T, Busy> {
        let waiting = Waiting(&self.waiting);
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= MAX_WAITING {
            return Err(Busy);
        }
        let permit = tokio::time::timeout(WAIT, self.permits.acquire()).await;
        drop(waiting);
        let Ok(Ok(permit)) = permit else { return Err(Busy) };
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let mut mem = self.memory.lock().map(|mut m| m.pop()).unwrap_or_default().unwrap_or_default();
            let out = f(&mut mem);
            // Only memory of the standard size is kept; a larger one (an old hash) is freed.
            if mem.len() <= params().block_count()
                && let Ok(mut m) = self.memory.lock()
            {
                m.push(mem);
            }
            out
        })
        .await
        .map_err(|_| Busy)
    }
}

/// Compute the argon2 output of `password` with the hash's algorithm, version, parameters and salt,
/// in `mem`, and compare it in constant time. `None` when the stored hash cannot be used.
fn verify_with(hash: &PasswordHash<'_>, password: &[u8], mem: &mut Vec<Block>) -> Option<bool> {
    let algorithm = Algorithm::try_from(hash.algorithm).ok()?;
    let version = hash.version.map(Version::try_from).transpose().ok()?.unwrap_or_default();
    let params = Params::try_from(hash).ok()?;
    if params.m_cost() > MAX_M_COST_KIB || params.t_cost() > MAX_T_COST {
        return None;
    }
    let mut salt_buf = [0u8; 64];
    let salt = hash.salt?.decode_b64(&mut salt_buf).ok()?;
    let expected = hash.hash?;
    let need = params.block_count();
    if mem.len() < need {
        mem.resize(need, Block::default());
    }
    let mut out = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password, salt, &mut out, &mut mem[..need])
        .ok()?;
    Some(bool::from(out.as_slice().ct_eq(expected.as_bytes())))
}

fn hash_with(password: &[u8], mem: &mut Vec<Block>) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    let mut salt_buf = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_buf).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let params = params();
    let need = params.block_count();
    if mem.len() < need {
        mem.resize(need, Block::default());
    }
    let mut out = [0u8; OUTPUT_LEN];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(password, salt_bytes, &mut out, &mut mem[..need])
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))?;
    let phc = PasswordHash {
        algorithm: ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| anyhow::anyhow!("params: {e}"))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| anyhow::anyhow!("output: {e}"))?),
    };
    Ok(phc.to_string())
}

/// Hash a new password (argon2id, the parameters above, a fresh salt) in the bounded pool.
pub async fn hash_password(password: String) -> Result<String, crate::app::AppError> {
    Ok(POOL.run(move |mem| hash_with(password.as_bytes(), mem)).await??)
}

/// What an unknown username is checked against: the same parameters as a real hash, so the answer
/// takes the same time whether or not the account exists. It matches no password (the output is
/// not the hash of anything chosen).
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$Y2FrYXAtZHVtbXktc2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/// Verify `password` against `hash` (or the dummy hash when there is no account), in the bounded
/// pool. `Err(Busy)` when no slot came free in time.
pub async fn verify_password(password: String, hash: Option<String>) -> Result<bool, Busy> {
    POOL.run(move |mem| {
        let real = hash.is_some();
        let stored = hash.unwrap_or_else(|| DUMMY_HASH.to_string());
        let ok = PasswordHash::new(&stored).ok().and_then(|h| verify_with(&h, password.as_bytes(), mem));
        ok.unwrap_or(false) && real
    })
    .await
}

#[derive(Debug, PartialEq, Eq)]
pub enum PasswordError {
    TooShort,
    TooLong,
    Common,
    LikeUsername,
    LikeNip,
    LikeName,
    LikeAgency,
    DemoPassword,
}

impl PasswordError {
    pub fn key(&self) -> &'static str {
        match self {
            Self::TooShort => "pw.too_short",
            Self::TooLong => "pw.too_long",
            Self::Common => "pw.common",
            Self::LikeUsername => "pw.like_username",
            Self::LikeNip => "pw.like_nip",
            Self::LikeName => "pw.like_name",
            Self::LikeAgency => "pw.like_agency",
            Self::DemoPassword => "pw.demo",
        }
    }
}

pub const MIN_LEN: usize = 12;
/// A sane bound, not a limit people meet: passphrases and password managers stay well under it.
pub const MAX_LEN: usize = 256;

/// The published password of the demo accounts (README, the login page of a demo portal).
pub const DEMO_PASSWORD: &str = "demo-cakap-2026";

/// Common passwords and the words people in a regional agency build them from
/// (shipped with the project: `common_passwords.txt`).
static COMMON: LazyLock<std::collections::HashSet<String>> = LazyLock::new(|| {
    include_str!("common_passwords.txt")
        .lines()
        .map(|l| l.trim().to_lowercase())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

/// Who the new password is for, and where: everything a guesser would try first.
#[derive(Clone, Debug, Default)]
pub struct PasswordContext<'a> {
    pub username: &'a str,
    pub nip: Option<&'a str>,
    pub name: Option<&'a str>,
    pub agency: Option<&'a str>,
    /// A demo portal keeps its published demo password usable.
    pub demo: bool,
}

/// The letters of `s`, lowercased: "Bandung-2026!" → "bandung".
fn letters(s: &str) -> String {
    s.chars().filter(|c| c.is_alphabetic()).flat_map(char::to_lowercase).collect()
}

/// One character repeated, or a run of consecutive characters up or down ("123456789012",
/// "aaaaaaaaaaaa", "987654321098"), with nothing else in it.
fn is_run(password: &str) -> bool {
    let c: Vec<u32> = password.chars().map(u32::from).collect();
    let steps: std::collections::HashSet<i64> = c.windows(2).map(|w| i64::from(w[1]) - i64::from(w[0])).collect();
    let digit_wrap = password.chars().all(|ch| ch.is_ascii_digit())
        && (steps.iter().all(|s| matches!(s, 1 | -9)) || steps.iter().all(|s| matches!(s, -1 | 9)));
    steps.len() <= 1 || digit_wrap
}

/// The rules for a new password: 12–256 characters; not a common password, nor a common word with
/// digits and signs around it; not containing the username, the NIP or the person's name; not the
/// agency's name; not the published demo password outside a demo.
pub fn check_new_password(password: &str, who: &PasswordContext<'_>) -> Result<(), PasswordError> {
    if !who.demo && password == DEMO_PASSWORD {
        return Err(PasswordError::DemoPassword);
    }
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(PasswordError::TooShort);
    }
    if n > MAX_LEN {
        return Err(PasswordError::TooLong);
    }
    let lower = password.to_lowercase();
    let word = letters(password);
    // The password's words, as letters: "Budi-sayang2026" → ["budi", "sayang"]. A name or a short
    // username is refused as one of these words, not as any run of letters ("ani" is in "manis").
    let tokens: Vec<String> =
        password.split(|c: char| !c.is_alphanumeric()).map(letters).filter(|t| !t.is_empty()).collect();
    let username = who.username.trim().to_lowercase();
    let user_letters = letters(&username);
    let like_username = if user_letters.is_empty() {
        // A numeric username (a NIP, say): the digits themselves.
        username.chars().count() >= 6 && lower.contains(&username)
    } else {
        (username.chars().count() >= 5 && lower.contains(&username))
            || (user_letters.chars().count() >= 3 && (word == user_letters || tokens.contains(&user_letters)))
    };
    if like_username {
        return Err(PasswordError::LikeUsername);
    }
    if let Some(nip) = who.nip.map(str::trim).filter(|n| n.len() >= 8 && n.is_ascii()) {
        let digits: String = password.chars().filter(char::is_ascii_digit).collect();
        // The whole NIP, or the birth date it starts with (yyyymmdd).
        if digits.contains(nip) || digits.contains(&nip[..8]) {
            return Err(PasswordError::LikeNip);
        }
    }
    if let Some(name) = who.name {
        let parts: Vec<String> = name.split(|c: char| !c.is_alphabetic()).map(letters).collect();
        let like = |p: &String| {
            let n = p.chars().count();
            (n >= 3 && tokens.contains(p)) || (n >= 6 && word.contains(p.as_str()))
        };
        if parts.iter().any(like) || (!letters(name).is_empty() && word == letters(name)) {
            return Err(PasswordError::LikeName);
        }
    }
    if let Some(agency) = who.agency {
        // The agency's name, or one of its words, with only digits and signs added.
        let whole = letters(agency);
        let words: Vec<String> = agency.split(|c: char| !c.is_alphabetic()).map(letters).collect();
        if (!whole.is_empty() && word == whole) || words.iter().any(|w| w.chars().count() >= 4 && *w == word) {
            return Err(PasswordError::LikeAgency);
        }
    }
    if COMMON.contains(&lower) || COMMON.contains(&word) || is_run(password) {
        return Err(PasswordError::Common);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(username: &str) -> PasswordContext<'_> {
        PasswordContext { username, ..Default::default() }
    }

    #[test]
    fn rules_for_new_passwords() {
        assert_eq!(check_new_password("short", &who("budi")), Err(PasswordError::TooShort));
        assert_eq!(check_new_password("12345678901234", &who("budi")), Err(PasswordError::Common));
        assert_eq!(check_new_password("Password123!", &who("budi")), Err(PasswordError::Common));
        assert_eq!(check_new_password("budi-sayang-2026", &who("budi")), Err(PasswordError::LikeUsername));
        assert_eq!(check_new_password(&"x".repeat(257), &who("budi")), Err(PasswordError::TooLong));
        assert_eq!(check_new_password("kopi-hitam-di-soreang", &who("budi")), Ok(()));
    }

    #[test]
    fn what_was_accepted_before_is_refused_now() {
        // The three passwords a probe got accepted.
        assert_eq!(check_new_password("kepegawaian1", &who("kepegawaian")), Err(PasswordError::LikeUsername));
        assert_eq!(check_new_password("kepegawaian1", &who("yayan")), Err(PasswordError::Common));
        assert_eq!(check_new_password("Bandung2026!", &who("yayan")), Err(PasswordError::Common));
        assert_eq!(check_new_password(DEMO_PASSWORD, &who("yayan")), Err(PasswordError::DemoPassword));
        let demo = PasswordContext { demo: true, ..who("yayan") };
        assert_eq!(check_new_password(DEMO_PASSWORD, &demo), Ok(()));
    }

    #[test]
    fn name_nip_and_agency_are_refused() {
        let nip = "199203152019032007";
        let w = PasswordContext {
            username: "rina.h",
            nip: Some(nip),
            name: Some("Rina Handayani, S.Kom."),
            agency: Some("Dinas Komunikasi dan Informatika Kabupaten Soreang"),
            demo: false,
        };
        assert_eq!(check_new_password("Handayani#1992!", &w), Err(PasswordError::LikeName));
        assert_eq!(check_new_password("x199203152019032007", &w), Err(PasswordError::LikeNip));
        assert_eq!(check_new_password("lahir-19920315-ok", &w), Err(PasswordError::LikeNip));
        assert_eq!(check_new_password("Informatika2026!", &w), Err(PasswordError::LikeAgency));
        assert_eq!(
            check_new_password("DinasKomunikasidanInformatikaKabupatenSoreang", &w),
            Err(PasswordError::LikeAgency)
        );
        assert_eq!(check_new_password("teh-manis-hangat-77", &w), Ok(()));
    }

    #[test]
    fn ordinary_passphrases_are_not_refused_for_a_short_name() {
        let w = PasswordContext { username: "ani", name: Some("Ani Agus Indah"), ..Default::default() };
        assert_eq!(check_new_password("teh-manis-hangat-77", &w), Ok(()));
        assert_eq!(check_new_password("pindah-rumah-agustus", &w), Ok(()));
        assert_eq!(check_new_password("ani-pergi-ke-pasar", &w), Err(PasswordError::LikeUsername));
        assert_eq!(check_new_password("kopi-agus-pagi-hari", &w), Err(PasswordError::LikeName));
        let numeric = PasswordContext { username: "199203152019032007", ..Default::default() };
        assert_eq!(check_new_password("7391-8842-1930-55", &numeric), Ok(()));
    }

    #[tokio::test]
    async fn hash_and_verify() {
        let h = hash_password("kopi-hitam-di-soreang".into()).await.expect("hash");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("kopi-hitam-di-soreang".into(), Some(h.clone())).await.expect("slot"));
        assert!(!verify_password("wrong".into(), Some(h.clone())).await.expect("slot"));
        assert!(!verify_password("anything".into(), None).await.expect("slot"));
        // A hash made by the crate's own hasher verifies here, and ours verifies there.
        use argon2::{PasswordHasher as _, PasswordVerifier as _};
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, params())
            .hash_password(b"teh-manis-hangat-77", &salt)
            .expect("hash")
            .to_string();
        assert!(verify_password("teh-manis-hangat-77".into(), Some(theirs)).await.expect("slot"));
        let parsed = PasswordHash::new(&h).expect("phc");
        assert!(Argon2::default().verify_password(b"kopi-hitam-di-soreang", &parsed).is_ok());
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }
}
