//! File uploads: reading one file out of a `multipart/form-data` body, and the plain HTML form
//! that changes a brand's logo (it works before the page's script has loaded, and answers
//! with a redirect back to the page it came from), the listing editor's photo form and the
//! catalog import form.

use app::state::AppState;
use app::{
    auth::{BrandRole, Caller},
    brands::{logo, BrandScope, Need},
    catalog::{images, import, ImportProblem},
    core::AppError,
    media::{self, ImageProblem},
};
use axum::{
    extract::{multipart::MultipartRejection, Multipart, Path, State},
    response::Redirect,
};

/// A file from a multipart form.
pub struct Upload {
    /// The name the browser gave it (for showing back; never used as a path).
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// Reads the file sent in form field `field`; `None` when it is missing or empty. A body that
/// is not multipart is a `BadRequest`.
pub async fn read_file_field(
    multipart: Result<Multipart, MultipartRejection>,
    field: &str,
) -> Result<Option<Upload>, AppError> {
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
            let file_name = part.file_name().unwrap_or("upload").to_owned();
            let bytes = part.bytes().await.map_err(bad_body)?;
            return Ok((!bytes.is_empty()).then(|| Upload {
                file_name,
                bytes: bytes.to_vec(),
            }));
        }
    }
    Ok(None)
}

/// `POST /brand/{slug}/logo` from the dashboard's (or, for an applicant, "Your brands") logo
/// form. Redirects back there with `?logo=saved` or `?logo_error=<problem code>`.
pub async fn brand_logo_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Redirect, AppError> {
    let need = Need::write(BrandRole::Manager).or_applicant();
    let (scope, _) = BrandScope::resolve(&state.db, &caller, &slug, need).await?;
    let back = match scope.access() {
        app::auth::BrandAccess::Applicant => "/brands".to_owned(),
        _ => format!("/brand/{}", scope.slug()),
    };
    let outcome = match read_file_field(multipart, logo::LOGO_FIELD).await? {
        Some(upload) => media::process_upload(upload.bytes, logo::LOGO_SPEC).await,
        None => Err(ImageProblem::Missing),
    };
    Ok(match outcome {
        Ok(image) => {
            logo::set_logo(&state, caller.client(), &scope, image).await?;
            Redirect::to(&format!("{back}?logo=saved"))
        }
        Err(problem) => Redirect::to(&format!("{back}?logo_error={}", problem.code())),
    })
}

/// `POST /brand/{slug}/listings/{id}/images` from the listing editor's photo form. Redirects
/// back to the editor with `?image=saved` or `?image_error=<problem code>`.
pub async fn listing_image_form(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Redirect, AppError> {
    let (scope, _) =
        BrandScope::resolve(&state.db, &caller, &slug, Need::write(BrandRole::Manager)).await?;
    let back = format!("/brand/{}/listings/{id}", scope.slug());
    let outcome = if images::has_room(&state.db, &scope, &id).await? {
        match read_file_field(multipart, images::IMAGE_FIELD).await? {
            Some(upload) => images::prepare(upload.bytes).await,
            None => Err(ImageProblem::Missing),
        }
    } else {
        Err(ImageProblem::NoRoom)
    };
    Ok(match outcome {
        Ok(photo) => {
            images::add(&state, caller.client(), &scope, &id, photo).await?;
            Redirect::to(&format!("{back}?image=saved"))
        }
        Err(problem) => Redirect::to(&format!("{back}?image_error={}", problem.code())),
    })
}

/// `POST /brand/{slug}/imports` from the import page: queues the CSV and redirects to the
/// job's page, or back with `?import_error=<problem code>`.
pub async fn catalog_import_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Redirect, AppError> {
    let (scope, _) =
        BrandScope::resolve(&state.db, &caller, &slug, Need::write(BrandRole::Manager)).await?;
    let checked = match read_file_field(multipart, import::FILE_FIELD).await? {
        Some(upload) => import::check(upload.bytes).map(|checked| (upload.file_name, checked)),
        None => Err(ImportProblem::MissingFile),
    };
    Ok(match checked {
        Ok((file_name, checked)) => {
            let job = import::start(&state, caller.client(), &scope, &file_name, checked).await?;
            Redirect::to(&format!("/brand/{}/imports/{}", scope.slug(), job.id))
        }
        Err(problem) => Redirect::to(&format!(
            "/brand/{}/imports?import_error={}",
            scope.slug(),
            problem.code()
        )),
    })
}
