use serde::{Deserialize, Serialize};

pub use entity::values::BrandRole;

/// Shortest and longest accepted password, in characters (OWASP ASVS 2.1.1 / 2.1.2).
pub const PASSWORD_MIN_CHARS: usize = 8;
/// See [`PASSWORD_MIN_CHARS`].
pub const PASSWORD_MAX_CHARS: usize = 128;
/// Longest display name, in characters.
pub const DISPLAY_NAME_MAX_CHARS: usize = 80;

/// The signed-in person, as pages and server functions see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CurrentUser {
    /// The account's public id (a UUID).
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub email_verified: bool,
    pub is_platform_admin: bool,
}
