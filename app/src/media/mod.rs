//! Uploaded images: checked, decoded with limits, resized and re-encoded by Gala, stored in the
//! `media` table and served from `/media/<id>.<ext>`.
//!
//! Nothing a user uploads is ever served as-is: the bytes are decoded (PNG, JPEG or WebP only,
//! recognised by content, not by name or declared type) and encoded again, so a file that is
//! also HTML or script (a "polyglot") loses everything but its pixels.

#[cfg(feature = "ssr")]
mod process;
#[cfg(feature = "ssr")]
mod store;

#[cfg(feature = "ssr")]
pub use process::{process, process_upload, ImageSpec, OutputFormat, ProcessedImage};
#[cfg(feature = "ssr")]
pub use store::{delete, load, save, url_of, MediaFile};

/// Largest upload accepted for any image, in bytes (the HTTP body limit is a little larger).
pub const MAX_UPLOAD_BYTES: usize = 1536 * 1024;

/// Why an upload was refused. Its [`code`](ImageProblem::code) travels in URLs (a plain HTML
/// form's redirect) and its [`message`](ImageProblem::message) is what people read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageProblem {
    Missing,
    TooLarge,
    WrongType,
    Unreadable,
    TooSmall,
    /// The thing already holds as many images as it may.
    NoRoom,
}

impl ImageProblem {
    const ALL: [ImageProblem; 6] = [
        Self::Missing,
        Self::TooLarge,
        Self::WrongType,
        Self::Unreadable,
        Self::TooSmall,
        Self::NoRoom,
    ];

    /// Stable short name.
    pub fn code(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::TooLarge => "too_large",
            Self::WrongType => "wrong_type",
            Self::Unreadable => "unreadable",
            Self::TooSmall => "too_small",
            Self::NoRoom => "no_room",
        }
    }

    /// Parses [`ImageProblem::code`]'s output.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }

    /// What to tell the uploader.
    pub fn message(self) -> &'static str {
        match self {
            Self::Missing => "Choose an image file.",
            Self::TooLarge => "The image is too large: the limit is 1.5 MB.",
            Self::WrongType => "Upload a PNG, JPEG or WebP image.",
            Self::Unreadable => "This image could not be read: it may be damaged or too large.",
            Self::TooSmall => {
                "The image is too small to show sharply: at least 64 pixels on each side."
            }
            Self::NoRoom => "There's no room for more images here: remove one first.",
        }
    }

    /// The validation error on form field `field`.
    pub fn into_error(self, field: &str) -> crate::core::AppError {
        crate::core::AppError::field(field, self.message())
    }
}

/// The outcome of an upload form, read from the query its redirect sets: `?<key>=saved` or
/// `?<key>_error=<problem code>` (the upload forms are plain multipart forms, see
/// `server::http::uploads`).
#[leptos::component]
pub fn UploadOutcome(key: &'static str, saved: &'static str) -> impl leptos::IntoView {
    use leptos::prelude::*;
    let query = leptos_router::hooks::use_query_map();
    move || {
        let query = query.get();
        if query.get(key).as_deref() == Some("saved") {
            Some(view! { <p class="notice notice--success" role="status">{saved}</p> }.into_any())
        } else {
            query.get(&format!("{key}_error")).map(|code| {
                let problem = ImageProblem::parse(&code).unwrap_or(ImageProblem::Unreadable);
                view! { <p class="form-alert" role="alert">{problem.message()}</p> }.into_any()
            })
        }
    }
}
