//! File uploads: reading one file out of a `multipart/form-data` body, and the plain HTML form
//! that changes a brand's logo (it works before the page's script has loaded, and answers
//! with a redirect back to the page it came from).

use app::{
    auth::BrandRole,
    brands::{logo, BrandScope},
    core::{state::AppState, AppError},
    media::{self, ImageProblem},
};
use axum::{
    extract::{multipart::MultipartRejection, Multipart, Path, State},
    response::Redirect,
};

use crate::api::Viewer;

/// Reads the file sent in form field `field`. A missing or empty file is an
/// [`ImageProblem::Missing`]; a body that is not multipart is a `BadRequest`.
pub async fn read_file_field(
    multipart: Result<Multipart, MultipartRejection>,
    field: &str,
) -> Result<Result<Vec<u8>, ImageProblem>, AppError> {
    let mut multipart = multipart.map_err(|rejection| AppError::BadRequest {
        message: format!(
            "Send the file as multipart/form-data: {}",
            rejection.body_text()
        ),
    })?;
    let bad_body = |error: axum::extract::multipart::MultipartError| AppError::BadRequest {
        message: format!("The upload could not be read: {}", error.body_text()),
    };
    while let Some(part) = multipart.next_field().await.map_err(bad_body)? {
        if part.name() == Some(field) {
            let bytes = part.bytes().await.map_err(bad_body)?;
            if bytes.is_empty() {
                return Ok(Err(ImageProblem::Missing));
            }
            return Ok(Ok(bytes.to_vec()));
        }
    }
    Ok(Err(ImageProblem::Missing))
}

/// `POST /brand/{slug}/logo` from the dashboard's (or, for an applicant, "Your brands") logo
/// form. Redirects back there with `?logo=saved` or `?logo_error=<problem code>`.
pub async fn brand_logo_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Redirect, AppError> {
    let (scope, _) =
        BrandScope::resolve_or_applicant(&state.db, viewer.user, &slug, BrandRole::Manager).await?;
    let back = match scope.access() {
        app::auth::BrandAccess::Applicant => "/brands".to_owned(),
        _ => format!("/brand/{}", scope.slug()),
    };
    let outcome = match read_file_field(multipart, logo::LOGO_FIELD).await? {
        Ok(bytes) => media::process_upload(bytes, logo::LOGO_SPEC).await,
        Err(problem) => Err(problem),
    };
    Ok(match outcome {
        Ok(image) => {
            logo::set_logo(&state, &viewer.client, &scope, image).await?;
            Redirect::to(&format!("{back}?logo=saved"))
        }
        Err(problem) => Redirect::to(&format!("{back}?logo_error={}", problem.code())),
    })
}
