//! A brand's logo: uploaded by its managers (or the applicant while under review), re-encoded
//! as a PNG of at most 512 px, stored as media, shown on the storefront and dashboard.

use crate::core::txn::begin_write;
use crate::state::AppState;
use entity::brand;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel};

use super::BrandScope;
use crate::auth::audit::ClientContext;
use crate::core::AppError;
use crate::media::{self, ImageSpec, OutputFormat, ProcessedImage};

/// What a logo upload becomes.
pub const LOGO_SPEC: ImageSpec = ImageSpec {
    max_side: 512,
    min_side: 64,
    output: OutputFormat::Png,
};

/// The form field (and API field) a logo is uploaded in.
pub const LOGO_FIELD: &str = "logo";

/// Makes `image` the brand's logo, replacing (and deleting) the previous one; returns its path.
pub async fn set_logo(
    state: &AppState,
    client: &ClientContext,
    scope: &BrandScope,
    image: ProcessedImage,
) -> Result<String, AppError> {
    if matches!(
        scope.access(),
        crate::auth::BrandAccess::ApiToken { write: false }
    ) {
        return Err(AppError::Forbidden);
    }
    let txn = begin_write(&state.db).await?;
    let row = brand::Entity::find_by_id(scope.brand_id())
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let previous = row.logo_path.clone();
    let url = media::save(
        &txn,
        scope.brand_id(),
        "brand_logo",
        scope.account_id(),
        image,
    )
    .await?;
    let mut active = row.into_active_model();
    active.logo_path = Set(Some(url.clone()));
    active.updated_at = Set(crate::core::time::now());
    active.update(&txn).await?;
    if let Some(previous) = previous {
        media::delete(&txn, &previous).await?;
    }
    scope
        .audit(
            &txn,
            client,
            "brand.logo_changed",
            &scope.brand_id().to_string(),
            serde_json::json!({ "logo": url }),
        )
        .await?;
    txn.commit().await?;
    Ok(url)
}
