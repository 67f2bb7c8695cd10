//! CSRF defence for every state-changing request (server functions, forms, the JSON API).
//!
//! Browsers mark cross-site requests with `Origin` (and `Referer`); a request whose origin is
//! neither Gala's public address nor the host it was sent to is refused with 403. A request
//! with neither header is accepted only when it could not have come from a cross-site form:
//! a JSON body (which needs a CORS preflight Gala never grants) or no cookies at all (an app
//! using a bearer token). Session cookies are also `SameSite=Lax`. GET, HEAD and OPTIONS never
//! change state, so they pass.
//!
//! The same origin test decides whether a page may show a form error carried in its address
//! (see [`drop_forged_form_errors`]).

use app::core::AppError;
use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, Method},
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

/// The middleware; see the module docs. A request that cannot change state passes, with any
/// forged form error taken out of its address ([`drop_forged_form_errors`]).
pub async fn protect(
    State(allowed): State<AllowedOrigin>,
    mut request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        drop_forged_form_errors(&allowed, &mut request);
        return next.run(request).await;
    }
    let headers = request.headers();
    let claimed = claimed_origin(headers);
    let same_origin = match claimed.as_deref() {
        Some(origin) => is_gala(&allowed, headers, origin),
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

/// The origin a request says it comes from: `Origin`, else the origin of `Referer`.
fn claimed_origin(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| {
            headers
                .get(header::REFERER)
                .and_then(|v| v.to_str().ok())
                .and_then(origin_of)
                .map(str::to_owned)
        })
}

/// True when `origin` is Gala's public address or the host the request was sent to.
fn is_gala(allowed: &AllowedOrigin, headers: &HeaderMap, origin: &str) -> bool {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    origin == allowed.0
        || host.is_some_and(|host| {
            origin
                .split_once("://")
                .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host))
        })
}

/// The query parameters in which a plain form's server function sends its error back to the
/// form's page (Leptos' no-wasm path); the page shows that error's messages.
const FORM_ERROR_PARAMS: [&str; 2] = ["__err", "__path"];

/// Forged form errors: a page address carrying a form error (`?__path=…&__err=…`) shows the
/// error's text on Gala's page, so a link from elsewhere could make Gala display words of an
/// attacker's choosing ("call this number"). Such parameters are kept only when the browser
/// came from one of Gala's own pages (the redirect after a form post does); otherwise they
/// are removed before the page is rendered.
fn drop_forged_form_errors(allowed: &AllowedOrigin, request: &mut Request) {
    let carries_error = request
        .uri()
        .query()
        .is_some_and(|query| query.contains("__err=") || query.contains("__path="));
    if !carries_error {
        return;
    }
    let from_gala = request
        .headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(origin_of)
        .is_some_and(|origin| is_gala(allowed, request.headers(), origin));
    if from_gala {
        return;
    }
    let uri = request.uri();
    let kept: Vec<String> = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|pair| {
            let name = pair.split('=').next().unwrap_or_default();
            !FORM_ERROR_PARAMS.contains(&name)
        })
        .map(str::to_owned)
        .collect();
    let path_and_query = if kept.is_empty() {
        uri.path().to_owned()
    } else {
        format!("{}?{}", uri.path(), kept.join("&"))
    };
    if let Ok(cleaned) = path_and_query.parse() {
        *request.uri_mut() = cleaned;
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
