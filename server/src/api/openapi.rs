//! The OpenAPI 3.1 document of `/api/v1`, served at `/api/v1/openapi.json`.
//!
//! It is derived from the handlers' `#[utoipa::path]` attributes and the request and response
//! types themselves (their `ToSchema` derives), so a field added to a type shows up here
//! without anyone remembering to; and routes are registered from the same attributes
//! (`utoipa_axum::routes!`), so an undocumented `/api/v1` route cannot exist.

use app::{
    catalog::{ListingStatus, SearchSort},
    core::error::ErrorBody,
};
use utoipa::{
    openapi::{
        content::ContentBuilder,
        response::ResponseBuilder,
        security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
        OpenApi as OpenApiDoc, Ref, RefOr,
    },
    OpenApi, ToSchema,
};

/// Multipart body of a logo upload.
#[derive(ToSchema)]
#[allow(dead_code)] // describes a multipart body; read by `read_file_field`, not deserialised
pub struct LogoUpload {
    /// PNG, JPEG or WebP, at most 1.5 MB and at least 64 px.
    #[schema(value_type = String, format = Binary)]
    logo: Vec<u8>,
}

/// Multipart body of a listing photo upload.
#[derive(ToSchema)]
#[allow(dead_code)] // describes a multipart body; read by `read_file_field`, not deserialised
pub struct ImageUpload {
    /// PNG, JPEG or WebP, at most 1.5 MB and at least 64 px; stored as a 1600 px JPEG with a
    /// 400 px thumbnail.
    #[schema(value_type = String, format = Binary)]
    image: Vec<u8>,
}

/// Multipart body of a catalog import.
#[derive(ToSchema)]
#[allow(dead_code)] // describes a multipart body; read by `read_file_field`, not deserialised
pub struct ImportUpload {
    /// A CSV file in the export's format (one row per variant), at most 32 MB.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// The document's frame; the paths come from the routers (see `api::routes`).
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Gala API",
        version = "1",
        description = "Brands manage listings, stock and their team; shoppers read the storefront. \
            Errors are always `{\"error\":{\"code\",\"message\",\"fields\"?}}` with a stable `code`. \
            State-changing requests from a browser session need a same-origin `Origin` header; \
            brands' own systems authenticate with `Authorization: Bearer <token>`."
    ),
    // Schemas only query parameters refer to (IntoParams does not collect them).
    components(schemas(ErrorBody, SearchSort, ListingStatus)),
    tags(
        (name = "auth", description = "Accounts and sessions (cookie `gala_session`)."),
        (name = "brands", description = "Applying for a brand, its team and API tokens."),
        (name = "admin", description = "Platform admins: the brand and promotion review queues, the platform's own promotions."),
        (name = "catalog", description = "A brand's listings, photos and CSV import/export."),
        (name = "stock", description = "Stock per SKU and location, and its ledger."),
        (name = "storefront", description = "Public reads for shoppers."),
        (name = "fulfilment", description = "A brand's orders: list, ship, cancel, refund."),
        (name = "shows", description = "Live shows: state, the live event stream (SSE), one-tap buying, chat and reactions."),
        (name = "promotions", description = "A brand's promotions: price cuts, spend thresholds and coupons, drafted, submitted for review and versioned."),
        (name = "presale", description = "A brand's pre-sale campaigns: deposits in the warm-up, balances on the festival day; drafted, submitted for review, frozen once approved."),
    )
)]
pub struct ApiDoc;

/// Adds what every operation shares, once rather than on every attribute: the security
/// schemes, and the error answer (`4XX`/`5XX` with [`ErrorBody`]). Call it on the finished
/// document (after the routers' paths are merged in).
pub fn add_conventions(doc: &mut OpenApiDoc) {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "session",
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            crate::router::SESSION_COOKIE,
            "The session cookie set by sign-in (HttpOnly, SameSite=Lax).",
        ))),
    );
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some(
                    "A brand API token (`gala_…`), made by the brand's owner; read or write.",
                ))
                .build(),
        ),
    );
    let error = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build(),
        )
    };
    for item in doc.paths.paths.values_mut() {
        for operation in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            let responses = &mut operation.responses.responses;
            responses.entry("4XX".into()).or_insert_with(|| {
                error(
                    "The request was refused: `code` says why (`bad_request`, `validation` \
                         with `fields`, `unauthorized`, `forbidden`, `not_found`, `conflict`, \
                         `rate_limited` with `Retry-After`, …).",
                )
            });
            responses
                .entry("5XX".into())
                .or_insert_with(|| error("Gala could not answer (`internal`, `unavailable`)."));
        }
    }
}

/// `GET /api/v1/openapi.json`: the document, serialised once.
pub fn serve(document: &OpenApiDoc) -> axum::routing::MethodRouter<app::state::AppState> {
    let body = axum::body::Bytes::from(
        serde_json::to_vec(document).expect("the OpenAPI document serialises"),
    );
    axum::routing::get(move || {
        let body = body.clone();
        async move {
            (
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                body,
            )
        }
    })
}
