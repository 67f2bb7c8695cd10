//! Password rules and hashing: argon2id with OWASP's parameters (m = 19 MiB, t = 2, p = 1).

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

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

/// Requests that may wait for a hashing slot; any more are answered 429 at once, so a burst
/// of sign-ins costs neither unbounded memory nor a queue of time-outs.
const WAITING_PER_SLOT: usize = 8;

/// The gate every hash and verification a request asks for passes (one per server): a fixed
/// number run at once (each takes 19 MiB and a core for tens of milliseconds), a bounded
/// number wait, the rest are refused with 429 and `Retry-After` at once.
#[derive(Clone)]
pub struct PasswordGate(Arc<GateInner>);

struct GateInner {
    at_once: usize,
    running: tokio::sync::Semaphore,
    waiting: tokio::sync::Semaphore,
    now: AtomicUsize,
    peak: AtomicUsize,
}

impl PasswordGate {
    /// A gate letting `at_once` computations run together (at least one).
    pub fn new(at_once: usize) -> Self {
        let at_once = at_once.max(1);
        PasswordGate(Arc::new(GateInner {
            at_once,
            running: tokio::sync::Semaphore::new(at_once),
            waiting: tokio::sync::Semaphore::new(at_once * WAITING_PER_SLOT),
            now: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        }))
    }

    /// One computation per core, at least two.
    pub fn per_core() -> Self {
        Self::new(
            std::thread::available_parallelism()
                .map(usize::from)
                .unwrap_or(2)
                .max(2),
        )
    }

    /// How many computations may run at once.
    pub fn at_once(&self) -> usize {
        self.0.at_once
    }

    /// The most computations that ever ran at the same moment (never over [`Self::at_once`]).
    pub fn peak(&self) -> usize {
        self.0.peak.load(Ordering::SeqCst)
    }

    /// [`hash_password`], through the gate.
    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        self.run(hash_password(password)).await
    }

    /// [`verify_password`], through the gate.
    pub async fn verify(&self, password: String, phc: Option<String>) -> Result<bool, AppError> {
        self.run(verify_password(password, phc)).await
    }

    async fn run<T>(
        &self,
        work: impl std::future::Future<Output = Result<T, AppError>>,
    ) -> Result<T, AppError> {
        let gate = &self.0;
        let _waiting = gate
            .waiting
            .try_acquire()
            .map_err(|_| AppError::RateLimited {
                retry_after_secs: 1,
            })?;
        let _running = gate
            .running
            .acquire()
            .await
            .map_err(|_| AppError::Unavailable)?;
        let running = gate.now.fetch_add(1, Ordering::SeqCst) + 1;
        gate.peak.fetch_max(running, Ordering::SeqCst);
        let outcome = work.await;
        gate.now.fetch_sub(1, Ordering::SeqCst);
        outcome
    }
}

/// Hashes a password into a PHC string. CPU-heavy (~tens of ms): runs on the blocking pool.
/// Requests go through their server's [`PasswordGate`]; the command line calls it directly.
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
