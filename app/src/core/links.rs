//! Where Gala may send a person after an action: only back into Gala itself. A `next=` taken
//! from an address is resolved the way a browser resolves it and kept only if it stays on
//! Gala's own origin — a prefix check cannot tell `/account` from `/\evil.example` or
//! `/%09/evil.example`, which browsers both read as another site.

/// An origin no real site has; `next` is resolved against it and must stay on it.
const HOME: &str = "http://gala.invalid/";

/// The path (with its query and fragment) `next` leads to, if it is a path on Gala's own
/// origin; `None` for another site, another scheme, or anything that is not a path.
pub fn local_path(next: &str) -> Option<String> {
    // A path must start with one slash; control characters and backslashes are never part
    // of a link Gala makes, and browsers strip or rewrite them in ways that leave the site.
    if !next.starts_with('/')
        || next.chars().any(|c| c.is_control() || c == '\\')
        || next.len() > 2048
    {
        return None;
    }
    let resolved = resolve(next)?;
    // `/.//evil.example` resolves to the path `//evil.example`: read back as a link, that
    // is another site.
    if !resolved.same_origin || resolved.path.starts_with("//") {
        return None;
    }
    Some(resolved.path + &resolved.query + &resolved.fragment)
}

/// `next` resolved against [`HOME`] by the WHATWG URL rules browsers follow.
struct Resolved {
    same_origin: bool,
    path: String,
    /// `?…`, or empty.
    query: String,
    /// `#…`, or empty.
    fragment: String,
}

/// On the server, the `url` crate (an implementation of the WHATWG URL standard).
#[cfg(not(feature = "hydrate"))]
fn resolve(next: &str) -> Option<Resolved> {
    let home = url::Url::parse(HOME).ok()?;
    let resolved = home.join(next).ok()?;
    Some(Resolved {
        same_origin: resolved.origin() == home.origin(),
        path: resolved.path().to_owned(),
        query: resolved
            .query()
            .map(|q| format!("?{q}"))
            .unwrap_or_default(),
        fragment: resolved
            .fragment()
            .map(|f| format!("#{f}"))
            .unwrap_or_default(),
    })
}

/// In the browser, the browser's own URL parser (the same standard), so the `url` crate and
/// its international-domain tables stay out of the wasm.
#[cfg(feature = "hydrate")]
fn resolve(next: &str) -> Option<Resolved> {
    let resolved = web_sys::Url::new_with_base(next, HOME).ok()?;
    Some(Resolved {
        same_origin: resolved.origin() == HOME.trim_end_matches('/'),
        path: resolved.pathname(),
        query: resolved.search(),
        fragment: resolved.hash(),
    })
}

/// True when the server function being answered was posted by a plain HTML form (the browser
/// asks for a page, not for JSON): the wasm had not loaded, or never will. Such a post is
/// answered with a redirect to the page the person should see next.
#[cfg(feature = "ssr")]
pub fn is_plain_form_post() -> bool {
    leptos::prelude::use_context::<axum::http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(axum::http::header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
    })
}

/// Answers a plain form post that server function `F` refused with a redirect to `page` (a
/// path on Gala) carrying the error in the address, the way server_fn itself sends it back to
/// the form's `Referer`; the page's action for `F` reads it from there and shows it. For a
/// page that must also know *which* of its forms was posted (`page`'s own query says so).
/// Like every form error in an address, it is shown only when the browser came from Gala
/// (`server::http::csrf::drop_forged_form_errors`).
#[cfg(feature = "ssr")]
pub fn redirect_with_error<F>(page: &str, error: &F::Error)
where
    F: leptos::server_fn::ServerFn,
    F::Error: Clone,
{
    use leptos::server_fn::error::ServerFnUrlError;
    let Some(page) = local_path(page) else {
        return;
    };
    let Ok(url) = ServerFnUrlError::new(F::PATH, error.clone()).to_url(&format!(
        "{}{}",
        HOME.trim_end_matches('/'),
        page
    )) else {
        return;
    };
    let query = url.query().map(|q| format!("?{q}")).unwrap_or_default();
    leptos_axum::redirect(&format!("{}{query}", url.path()));
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn gala_paths_are_kept() {
        assert_eq!(local_path("/account").as_deref(), Some("/account"));
        assert_eq!(
            local_path("/search?q=silk+coat#results").as_deref(),
            Some("/search?q=silk+coat#results")
        );
        assert_eq!(
            local_path("/brand/lune/../lune/listings").as_deref(),
            Some("/brand/lune/listings")
        );
    }

    #[test]
    fn every_way_out_of_gala_is_refused() {
        // What `next=/%5Cevil.example`, `next=/%09/evil.example` and friends decode to.
        for attack in [
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/.//evil.example",
            "/./\\evil.example",
            "https://evil.example/",
            "http:evil.example",
            "javascript:alert(1)",
            "evil.example",
            " /account",
            "",
        ] {
            assert_eq!(local_path(attack), None, "{attack:?}");
        }
    }

    #[test]
    fn escapes_left_in_a_path_stay_text_on_gala() {
        assert_eq!(
            local_path("/%5Cevil.example").as_deref(),
            Some("/%5Cevil.example")
        );
        assert_eq!(
            local_path("/%09/evil.example").as_deref(),
            Some("/%09/evil.example")
        );
    }
}
