use serde::{Deserialize, Serialize};

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

/// A person's role in a brand's team, from least to most powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum BrandRole {
    /// Day-to-day work: stock, orders, the show's chat.
    Staff,
    /// Everything staff can do, plus listings, campaigns and shows.
    Manager,
    /// Everything, including the team, API tokens and brand settings.
    Owner,
}

impl BrandRole {
    /// Stable name stored in the database and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            BrandRole::Staff => "staff",
            BrandRole::Manager => "manager",
            BrandRole::Owner => "owner",
        }
    }

    /// Parses [`BrandRole::as_str`]'s output.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "staff" => Some(BrandRole::Staff),
            "manager" => Some(BrandRole::Manager),
            "owner" => Some(BrandRole::Owner),
            _ => None,
        }
    }
}
