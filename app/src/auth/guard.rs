//! The guards: every page, server function and API route asks these — and only these — whether
//! the caller may go on. Each returns the stable error the caller should see.

use super::{session::Account, BrandRole};
use crate::core::AppError;

/// The caller must be signed in.
pub fn require_signed_in(account: Option<&Account>) -> Result<&Account, AppError> {
    account.ok_or(AppError::Unauthorized)
}

/// The caller must be signed in with a verified email (needed to buy or manage a brand).
pub fn require_verified(account: Option<&Account>) -> Result<&Account, AppError> {
    let account = require_signed_in(account)?;
    if account.email_verified {
        Ok(account)
    } else {
        Err(AppError::EmailNotVerified)
    }
}

/// The caller must be a platform admin.
pub fn require_platform_admin(account: Option<&Account>) -> Result<&Account, AppError> {
    let account = require_signed_in(account)?;
    if account.is_platform_admin {
        Ok(account)
    } else {
        Err(AppError::Forbidden)
    }
}

/// How a caller reaches a brand's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrandAccess {
    /// As a member of the brand's team, with this role.
    Member(BrandRole),
    /// As a platform admin (review, suspension, support).
    PlatformAdmin,
    /// As the brand's own system, with a bearer token (`write` = may change data).
    ApiToken { write: bool },
    /// As the person who applied for the brand, while the application is under review (they
    /// become its owner only when it is approved).
    Applicant,
}

/// The caller must hold at least `min` in the brand (given their membership there, if any), or
/// be a platform admin. Non-members get `NotFound`, so a brand's existence does not leak to
/// outsiders; members with too small a role get `Forbidden`.
pub fn require_brand_role(
    account: Option<&Account>,
    membership: Option<BrandRole>,
    min: BrandRole,
) -> Result<BrandAccess, AppError> {
    let account = require_verified(account)?;
    match membership {
        Some(role) if role >= min => Ok(BrandAccess::Member(role)),
        _ if account.is_platform_admin => Ok(BrandAccess::PlatformAdmin),
        Some(_) => Err(AppError::Forbidden),
        None => Err(AppError::NotFound),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(verified: bool, admin: bool) -> Account {
        Account {
            id: uuid::Uuid::nil(),
            email: "a@b.co".into(),
            display_name: "A".into(),
            email_verified: verified,
            is_platform_admin: admin,
        }
    }

    #[test]
    fn anonymous_callers_must_sign_in() {
        assert_eq!(require_signed_in(None).unwrap_err(), AppError::Unauthorized);
        assert_eq!(require_verified(None).unwrap_err(), AppError::Unauthorized);
        assert_eq!(
            require_platform_admin(None).unwrap_err(),
            AppError::Unauthorized
        );
    }

    #[test]
    fn unverified_accounts_can_browse_but_not_buy_or_manage() {
        assert!(require_signed_in(Some(&user(false, false))).is_ok());
        assert_eq!(
            require_verified(Some(&user(false, false))).unwrap_err(),
            AppError::EmailNotVerified
        );
        assert_eq!(
            require_brand_role(
                Some(&user(false, false)),
                Some(BrandRole::Owner),
                BrandRole::Staff
            )
            .unwrap_err(),
            AppError::EmailNotVerified
        );
    }

    #[test]
    fn brand_roles_are_ordered_staff_manager_owner() {
        let ok = |role, min| require_brand_role(Some(&user(true, false)), Some(role), min).is_ok();
        assert!(ok(BrandRole::Owner, BrandRole::Manager));
        assert!(ok(BrandRole::Manager, BrandRole::Manager));
        assert!(!ok(BrandRole::Staff, BrandRole::Manager));
        assert_eq!(
            require_brand_role(
                Some(&user(true, false)),
                Some(BrandRole::Staff),
                BrandRole::Owner
            )
            .unwrap_err(),
            AppError::Forbidden
        );
    }

    #[test]
    fn outsiders_get_not_found_and_admins_get_in() {
        assert_eq!(
            require_brand_role(Some(&user(true, false)), None, BrandRole::Staff).unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            require_brand_role(Some(&user(true, true)), None, BrandRole::Owner).unwrap(),
            BrandAccess::PlatformAdmin
        );
        assert_eq!(
            require_platform_admin(Some(&user(true, false))).unwrap_err(),
            AppError::Forbidden
        );
    }
}
