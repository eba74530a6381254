//! Password hashing (argon2id, OWASP parameters) and the rules for new passwords.

use std::sync::LazyLock;

use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher as _, PasswordVerifier as _, Version,
    password_hash::SaltString,
};

fn argon2() -> Argon2<'static> {
    // OWASP: argon2id, m = 19 MiB, t = 2, p = 1.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
}

/// Hash on the blocking pool: argon2 is deliberately slow.
pub async fn hash_password(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_blocking(&password)).await?
}

/// A hash to verify against when the account does not exist, so timing reveals nothing.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_blocking("cakap-dummy-password").unwrap_or_default());

/// Verify `password` against `hash` (or a dummy hash when there is no account).
pub async fn verify_password(password: String, hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let real = hash.is_some();
        let hash = hash.unwrap_or_else(|| DUMMY_HASH.clone());
        let ok = PasswordHash::new(&hash)
            .map(|parsed| argon2().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false);
        ok && real
    })
    .await
    .unwrap_or(false)
}

#[derive(Debug, PartialEq, Eq)]
pub enum PasswordError {
    TooShort,
    TooLong,
    Common,
    LikeUsername,
}

impl PasswordError {
    pub fn key(&self) -> &'static str {
        match self {
            Self::TooShort => "pw.too_short",
            Self::TooLong => "pw.too_long",
            Self::Common => "pw.common",
            Self::LikeUsername => "pw.like_username",
        }
    }
}

pub const MIN_LEN: usize = 10;
const MAX_LEN: usize = 128;

static COMMON: LazyLock<std::collections::HashSet<&'static str>> =
    LazyLock::new(|| include_str!("common_passwords.txt").lines().map(str::trim).filter(|l| !l.is_empty()).collect());

/// The rules for a new password: 10–128 characters, not a common password, not the username.
pub fn check_new_password(password: &str, username: &str) -> Result<(), PasswordError> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(PasswordError::TooShort);
    }
    if n > MAX_LEN {
        return Err(PasswordError::TooLong);
    }
    let lower = password.to_lowercase();
    if COMMON.contains(lower.as_str()) {
        return Err(PasswordError::Common);
    }
    if !username.is_empty() && lower.contains(&username.to_lowercase()) {
        return Err(PasswordError::LikeUsername);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_for_new_passwords() {
        assert_eq!(check_new_password("short", "budi"), Err(PasswordError::TooShort));
        assert_eq!(check_new_password("1234567890", "budi"), Err(PasswordError::Common));
        assert_eq!(check_new_password("Password123", "budi"), Err(PasswordError::Common));
        assert_eq!(check_new_password("budi-sayang-2026", "budi"), Err(PasswordError::LikeUsername));
        assert_eq!(check_new_password(&"x".repeat(129), "budi"), Err(PasswordError::TooLong));
        assert_eq!(check_new_password("kopi-hitam-di-soreang", "budi"), Ok(()));
    }

    #[tokio::test]
    async fn hash_and_verify() {
        let h = hash_password("kopi-hitam-di-soreang".into()).await.expect("hash");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("kopi-hitam-di-soreang".into(), Some(h.clone())).await);
        assert!(!verify_password("wrong".into(), Some(h)).await);
        assert!(!verify_password("cakap-dummy-password".into(), None).await);
    }
}
