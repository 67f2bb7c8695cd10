//! Password rules and hashing: argon2id with OWASP's parameters (m = 19 MiB, t = 2, p = 1).

use std::{collections::HashSet, sync::OnceLock};

use argon2::{
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};

use super::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};
use crate::core::AppError;

/// 8,450 common passwords of 8+ characters, lower-cased (from Django's list, itself from Royce
/// Williams' breach compilation; BSD licence).
const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

/// A fresh random 128-bit salt.
fn new_salt() -> SaltString {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    SaltString::encode_b64(&bytes).expect("16 bytes is a valid salt length")
}

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Why `password` is not acceptable for the account with `email`, if it is not.
pub fn password_problem(password: &str, email: &str) -> Option<String> {
    static COMMON: OnceLock<HashSet<&'static str>> = OnceLock::new();
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Some(format!("Use at least {PASSWORD_MIN_CHARS} characters."));
    }
    if chars > PASSWORD_MAX_CHARS {
        return Some(format!("Use at most {PASSWORD_MAX_CHARS} characters."));
    }
    let lower = password.to_lowercase();
    if COMMON
        .get_or_init(|| COMMON_PASSWORDS.lines().collect())
        .contains(lower.as_str())
    {
        return Some("This password is too common. Choose one that is harder to guess.".into());
    }
    let local_part = email.split('@').next().unwrap_or_default().to_lowercase();
    if lower == email.to_lowercase() || (local_part.len() >= 4 && lower == local_part) {
        return Some("Your password must not be your email address.".into());
    }
    None
}

/// Hashes a password into a PHC string. CPU-heavy (~tens of ms): runs on the blocking pool.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = new_salt();
        hasher()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(AppError::internal)
    })
    .await
    .map_err(AppError::internal)?
}

/// Checks `password` against `phc` in constant time. With `phc = None` (unknown account) a
/// dummy hash is checked instead, so the answer takes as long either way.
pub async fn verify_password(password: String, phc: Option<String>) -> Result<bool, AppError> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    tokio::task::spawn_blocking(move || {
        let known = phc.is_some();
        let phc = phc.unwrap_or_else(|| {
            DUMMY
                .get_or_init(|| {
                    let salt = new_salt();
                    hasher()
                        .hash_password(b"gala-dummy-password", &salt)
                        .map(|h| h.to_string())
                        .unwrap_or_default()
                })
                .clone()
        });
        let parsed = PasswordHash::new(&phc).map_err(AppError::internal)?;
        let matches = hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(known && matches)
    })
    .await
    .map_err(AppError::internal)?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_long_common_and_email_like_passwords_are_refused() {
        assert!(password_problem("short", "a@b.co").is_some());
        assert!(password_problem(&"x".repeat(129), "a@b.co").is_some());
        assert!(password_problem("password", "a@b.co")
            .unwrap()
            .contains("too common"));
        assert!(password_problem("iloveyou", "a@b.co")
            .unwrap()
            .contains("too common"));
        assert!(password_problem("mia.wong@gala.test", "mia.wong@gala.test").is_some());
        assert!(password_problem("mia.wong", "mia.wong@gala.test").is_some());
        assert!(password_problem("runway-drop-2027", "mia.wong@gala.test").is_none());
    }

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let hash = hash_password("runway-drop-2027".into()).await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(
            verify_password("runway-drop-2027".into(), Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(!verify_password("runway-drop-2028".into(), Some(hash))
            .await
            .unwrap());
        assert!(!verify_password("anything".into(), None).await.unwrap());
    }
}
