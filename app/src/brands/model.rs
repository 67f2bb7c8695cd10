use serde::{Deserialize, Serialize};

use crate::auth::BrandRole;
pub use entity::values::{BrandStatus, TokenScope};

/// What an applicant fills in to open a brand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BrandApplication {
    pub legal_name: String,
    pub display_name: String,
    pub slug: String,
    pub country: String,
    pub category: String,
    pub contact_email: String,
    pub description: String,
    pub licence_number: String,
}

/// A brand as its team and admins see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BrandDetail {
    pub id: String,
    pub slug: String,
    pub legal_name: String,
    pub display_name: String,
    pub country: String,
    pub category: String,
    pub contact_email: String,
    pub description: String,
    pub licence_number: String,
    pub status: BrandStatus,
    pub review_note: Option<String>,
    pub submitted_at: chrono::DateTime<chrono::Utc>,
    /// Path of the logo image (`/media/...`), if one was uploaded.
    pub logo_url: Option<String>,
}

/// A brand as shoppers see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PublicBrand {
    pub slug: String,
    pub display_name: String,
    pub country: String,
    pub category: String,
    pub description: String,
    /// Path of the logo image, if any.
    pub logo_url: Option<String>,
}

/// A brand the signed-in person belongs to (or applied for).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MyBrand {
    pub slug: String,
    pub display_name: String,
    pub status: BrandStatus,
    /// `None` while the application is not approved.
    pub role: Option<BrandRole>,
    /// Path of the logo image, if any.
    pub logo_url: Option<String>,
}

/// One page of the admin review queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ApplicationPage {
    pub items: Vec<BrandDetail>,
    /// Pass back as `after` for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// An admin's decision on an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum ReviewDecision {
    Approve,
    Reject,
    RequestChanges,
}

/// The categories a brand can sell in (the storefront's top level).
pub const CATEGORIES: &[&str] = &[
    "fashion",
    "beauty",
    "electronics",
    "home",
    "food",
    "sports",
    "kids",
    "luxury",
    "health",
    "outdoor",
];

/// A member of a brand's team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TeamMember {
    pub account_id: String,
    pub display_name: String,
    pub email: String,
    pub role: BrandRole,
}

/// An invitation not yet accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PendingInvite {
    pub id: String,
    pub email: String,
    pub role: BrandRole,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// A brand's team: members and open invitations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Team {
    pub members: Vec<TeamMember>,
    pub invites: Vec<PendingInvite>,
}

/// An API token as listed to its brand's owners (never the secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ApiTokenInfo {
    pub id: String,
    pub name: String,
    pub scope: TokenScope,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    pub revoked: bool,
}

/// A newly created API token: `token` is shown this once and never stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreatedApiToken {
    pub info: ApiTokenInfo,
    pub token: String,
}
