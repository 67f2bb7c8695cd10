//! The frame around every page: the header (with the cart and the account), the navigation
//! and the footer.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::auth::AccountLink;
use crate::checkout::cart::CartLink;

/// Marks the document (`<html data-hydrated="true">`) once the page's code has taken over, so
/// tests, the page-weight benchmark (and CSS) can tell a hydrated page from a server-rendered
/// one. Called where each page is rendered: pages arrive in lazily loaded chunks, after the
/// frame around them.
pub fn mark_hydrated() {
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });
}

/// Header, main content and footer around every page. The header's menu button opens the
/// navigation on narrow screens.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let (menu_open, set_menu_open) = signal(false);
    // Embeds (a show framed by another site) are the page alone, without Gala's chrome.
    let embedded = leptos_router::hooks::use_location()
        .pathname
        .get_untracked()
        .starts_with("/embed/");
    if embedded {
        return view! { <main id="main" class="embed-main">{children()}</main> }.into_any();
    }

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
                <CartLink/>
                <AccountLink/>
                <form class="site-search" method="get" action="/search" role="search">
                    <label class="visually-hidden" for="site-search-q">"Search Gala"</label>
                    <input class="field__input" id="site-search-q" type="search" name="q" placeholder="Search brands and products"/>
                    <button class="button button--secondary" type="submit">"Search"</button>
                </form>
                <nav
                    id="site-nav"
                    class="site-nav"
                    class:site-nav--open=move || menu_open.get()
                    aria-label="Main"
                >
                    <ul class="site-nav__list" on:click=move |_| set_menu_open.set(false)>
                        <li><A href="/" exact=true>"Home"</A></li>
                        <li><A href="/search">"Shop"</A></li>
                        <li><A href="/shows">"Live shows"</A></li>
                        <li><a href="/#presale">"Pre-sale"</a></li>
                        <li><a href="/#stores">"Pop-up stores"</a></li>
                        <li><A href="/brands">"For brands"</A></li>
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
    .into_any()
}
