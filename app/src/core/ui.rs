//! The UI kit: page layout, status pages and small building blocks shared by every capability.
//! Styling lives in `style/main.css` (design tokens as CSS custom properties).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::AppError;

/// Header, main content and footer around every page. The header's menu button opens the
/// navigation on narrow screens.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let (menu_open, set_menu_open) = signal(false);
    // Marks the document once the wasm bundle has taken over, so tests (and CSS) can tell a
    // hydrated page from a server-rendered one.
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <div class="app-shell">
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="site-header">
            <div class="site-header__bar container">
                <A href="/" attr:class="brand-mark" attr:aria-label="Gala home">
                    <span class="brand-mark__logo" aria-hidden="true">"G"</span>
                    <span class="brand-mark__name">"Gala"</span>
                </A>
                <button
                    class="menu-toggle"
                    type="button"
                    aria-controls="site-nav"
                    aria-expanded=move || menu_open.get().to_string()
                    on:click=move |_| set_menu_open.update(|open| *open = !*open)
                >
                    <span class="menu-toggle__icon" aria-hidden="true"></span>
                    <span class="visually-hidden">"Menu"</span>
                </button>
                <nav
                    id="site-nav"
                    class="site-nav"
                    class:site-nav--open=move || menu_open.get()
                    aria-label="Main"
                >
                    <ul class="site-nav__list" on:click=move |_| set_menu_open.set(false)>
                        <li><A href="/" exact=true>"Home"</A></li>
                        <li><a href="/#live">"Live show"</a></li>
                        <li><a href="/#presale">"Pre-sale"</a></li>
                        <li><a href="/#stores">"Pop-up stores"</a></li>
                    </ul>
                </nav>
            </div>
        </header>
        <main id="main" class="site-main">{children()}</main>
        <footer class="site-footer">
            <div class="container site-footer__inner">
                <p class="site-footer__brand">"Gala — the festival platform for brands and shoppers."</p>
                <p class="site-footer__meta">"Prices shown in local currency. Payments in this build run on a sandbox provider."</p>
            </div>
        </footer>
        </div>
    }
}

/// The page for an unknown address; answers with HTTP 404 when rendered on the server.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found"/>
        <StatusPage
            code="404"
            title="This page is not on the runway"
            message="The address may be mistyped, or the page has moved."
        />
    }
}

/// Shows an [`AppError`] as a full page, with its user-facing message only.
#[component]
pub fn ErrorPage(error: AppError) -> impl IntoView {
    let code = error.status().to_string();
    view! {
        <Title text="Something went wrong"/>
        <StatusPage code=code title="Something went wrong" message=error.to_string()/>
    }
}

/// Shared body of the status pages (404, errors).
#[component]
fn StatusPage(
    #[prop(into)] code: String,
    #[prop(into)] title: String,
    #[prop(into)] message: String,
) -> impl IntoView {
    view! {
        <section class="status-page container">
            <p class="status-page__code" aria-hidden="true">{code}</p>
            <h1 class="status-page__title">{title}</h1>
            <p class="status-page__message">{message}</p>
            <A href="/" attr:class="button button--primary">"Back to Gala"</A>
        </section>
    }
}

/// A placeholder block shown while data loads (sized like the content it stands in for).
#[component]
pub fn Skeleton(#[prop(into, default = "skeleton".to_owned())] class: String) -> impl IntoView {
    view! { <div class=format!("skeleton {class}") aria-hidden="true"></div> }
}

/// An inline error message for a part of a page whose data failed to load.
#[component]
pub fn InlineError(error: AppError) -> impl IntoView {
    view! { <p class="inline-error" role="alert">{error.to_string()}</p> }
}
