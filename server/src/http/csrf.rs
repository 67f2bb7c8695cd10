//! CSRF defence for every state-changing request (server functions, forms, the JSON API).
//!
//! Browsers mark cross-site requests with `Origin` (and `Referer`); a request whose origin is
//! neither Gala's public address nor the host it was sent to is refused with 403. A request
//! with neither header is accepted only when it could not have come from a cross-site form:
//! a JSON body (which needs a CORS preflight Gala never grants) or no cookies at all (an app
//! using a bearer token). Session cookies are also `SameSite=Lax`. GET, HEAD and OPTIONS never
//! change state, so they pass.

use app::core::AppError;
use axum::{
    extract::{Request, State},
    http::{header, Method},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// The origin (`scheme://host[:port]`) Gala is served from.
#[derive(Clone)]
pub struct AllowedOrigin(pub String);

impl AllowedOrigin {
    /// From `GALA_PUBLIC_URL`.
    pub fn from_public_url(public_url: &str) -> Self {
        AllowedOrigin(origin_of(public_url).unwrap_or_default().to_owned())
    }
}

/// `scheme://authority` of a URL.
fn origin_of(url: &str) -> Option<&str> {
    let (scheme, rest) = url.split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some(&url[..scheme.len() + 3 + end])
}

/// The middleware; see the module docs.
pub async fn protect(
    State(allowed): State<AllowedOrigin>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let claimed = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| {
            headers
                .get(header::REFERER)
                .and_then(|v| v.to_str().ok())
                .and_then(origin_of)
                .map(str::to_owned)
        });
    let same_origin = match claimed.as_deref() {
        Some(origin) => {
            origin == allowed.0
                || host.is_some_and(|host| {
                    origin
                        .split_once("://")
                        .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host))
                })
        }
        None => {
            let is_json = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|ct| ct.starts_with("application/json"));
            is_json || !headers.contains_key(header::COOKIE)
        }
    };
    if same_origin {
        next.run(request).await
    } else {
        tracing::warn!(
            origin = claimed.as_deref().unwrap_or("-"),
            "refused a cross-origin state-changing request"
        );
        AppError::Forbidden.into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::origin_of;

    #[test]
    fn origins_are_scheme_and_authority() {
        assert_eq!(
            origin_of("https://gala.example/path?x"),
            Some("https://gala.example")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:3000"),
            Some("http://127.0.0.1:3000")
        );
        assert_eq!(origin_of("not a url"), None);
    }
}
