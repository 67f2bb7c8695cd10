//! Gala's product: every page, server function and (behind the `ssr` feature) the services and
//! queries behind them, organised as one module per capability.
//!
//! - [`auth`]: accounts, sessions, roles and guards, verification, password reset.
//! - [`brands`]: brands (tenants), applications, admin review, the `BrandScope`.
//! - [`catalog`]: listings, variants, stock and its ledger, storefront search.
//! - [`checkout`]: carts, the one price quote, the one engine every purchase goes through,
//!   payments, orders for buyers.
//! - [`core`]: what every capability shares (the error type, money, time, the UI kit); it
//!   imports no capability.
//! - [`fulfilment`]: a brand's orders: list, ship, cancel, refund.
//! - [`festival`]: the platform's festival settings (name, dates) shown across the storefront.
//! - [`home`]: the storefront home page.
//! - [`mail`]: transactional mail through a durable outbox.
//! - [`media`]: uploaded images, checked and re-encoded, served from `/media/`.
//! - [`layout`]: the frame around every page (header with cart and account, footer).
//! - [`state`]: `AppState`, the process-wide handles (database, engine, hub, outbox).
//! - [`show`]: live "See Now, Buy Now" shows: run-sheets, the producer console, the viewer
//!   page with one-tap buying and chat, the real-time hub.
//!
//! The same crate compiles twice: natively with `ssr` for the server, and to wasm with
//! `hydrate` for the browser, which takes over the server-rendered HTML.

#![recursion_limit = "256"]

#[cfg(test)]
mod architecture_tests;

pub mod auth;
pub mod brands;
pub mod catalog;
pub mod checkout;
pub mod core;
pub mod festival;
pub mod fulfilment;
pub mod home;
pub mod layout;
pub mod mail;
pub mod media;
pub mod show;
#[cfg(feature = "ssr")]
pub mod state;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    ParamSegment, SsrMode, StaticSegment,
};

use crate::core::ui::NotFoundPage;
use crate::layout::Layout;

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="theme-color" content="#b3123f"/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                <HashedStylesheet options=options.clone() id="gala"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The application: document metadata and the router.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    auth::provide_user_context();
    checkout::cart::provide_cart_context();

    view! {
        <Title formatter=|title: String| {
            if title.is_empty() { "Gala".to_owned() } else { format!("{title} · Gala") }
        }/>
        <Router>
            <Layout>
                <Routes fallback=NotFoundPage>
                    <Route path=StaticSegment("") view=home::HomePage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("signup") view=auth::SignUpPage/>
                    <Route path=StaticSegment("signin") view=auth::SignInPage/>
                    <Route path=StaticSegment("verify-email") view=auth::VerifyEmailPage/>
                    <Route path=StaticSegment("forgot-password") view=auth::ForgotPasswordPage/>
                    <Route path=StaticSegment("reset-password") view=auth::ResetPasswordPage/>
                    <Route path=StaticSegment("account") view=auth::AccountPage/>
                    <Route path=StaticSegment("brands") view=brands::BrandsPage/>
                    <Route path=(StaticSegment("brands"), StaticSegment("apply")) view=brands::ApplyBrandPage/>
                    <Route path=(StaticSegment("brand"), ParamSegment("slug")) view=brands::BrandDashboardPage/>
                    <Route path=(StaticSegment("brand"), ParamSegment("slug"), StaticSegment("team")) view=brands::TeamPage/>
                    <Route path=(StaticSegment("brand"), ParamSegment("slug"), StaticSegment("listings")) view=catalog::BrandListingsPage/>
                    <Route path=(StaticSegment("brand"), ParamSegment("slug"), StaticSegment("listings"), StaticSegment("new")) view=catalog::NewListingPage/>
                    <Route path=(StaticSegment("brand"), ParamSegment("slug"), StaticSegment("listings"), ParamSegment("id")) view=catalog::EditListingPage/>
                    <Route path=(StaticSegment("brand"), ParamSegment("slug"), StaticSegment("imports")) view=catalog::ImportsPage/>
                    <Route path=(StaticSegment("brand"), ParamSegment("slug"), StaticSegment("orders")) view=fulfilment::BrandOrdersPage/>
                    <Route path=(StaticSegment("brand"), ParamSegment("slug"), StaticSegment("orders"), ParamSegment("id")) view=fulfilment::BrandOrderPage/>
                    <Route path=(StaticSegment("brand"), ParamSegment("slug"), StaticSegment("imports"), ParamSegment("id")) view=catalog::ImportJobPage/>
                    <Route path=(StaticSegment("brand"), ParamSegment("slug"), StaticSegment("shows")) view=show::BrandShowsPage/>
                    <Route path=(StaticSegment("brand"), ParamSegment("slug"), StaticSegment("shows"), ParamSegment("id")) view=show::ShowEditorPage/>
                    <Route path=(StaticSegment("brand"), ParamSegment("slug"), StaticSegment("shows"), ParamSegment("id"), StaticSegment("live")) view=show::ProducerConsolePage/>
                    <Route path=StaticSegment("shows") view=show::ShowsPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("show"), ParamSegment("id")) view=show::ShowPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("embed"), StaticSegment("show"), ParamSegment("id")) view=show::EmbedShowPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("admin"), StaticSegment("shows")) view=show::AdminShowsPage/>
                    <Route path=(StaticSegment("admin"), StaticSegment("galas")) view=show::GalasPage/>
                    <Route path=(StaticSegment("admin"), StaticSegment("galas"), ParamSegment("id")) view=show::ShowEditorPage/>
                    <Route path=(StaticSegment("admin"), StaticSegment("galas"), ParamSegment("id"), StaticSegment("live")) view=show::ProducerConsolePage/>
                    <Route path=StaticSegment("search") view=catalog::SearchPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("checkout") view=checkout::CheckoutPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("cart") view=checkout::cart::CartPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("orders") view=checkout::MyOrdersPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("orders"), ParamSegment("id")) view=checkout::OrderPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("c"), ParamSegment("category")) view=catalog::SearchPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("p"), ParamSegment("id")) view=catalog::ListingPageView ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("invites"), StaticSegment("accept")) view=brands::AcceptInvitePage/>
                    <Route path=(StaticSegment("admin"), StaticSegment("brands")) view=brands::AdminBrandsPage/>
                    // Async (here and on the shopper's pages above): the whole page is in the first answer,
                    // readable without the wasm, and a 404 (unknown or suspended brand) known before it.
                    <Route path=(StaticSegment("b"), ParamSegment("slug")) view=brands::PublicBrandPage ssr=SsrMode::Async/>
                </Routes>
            </Layout>
        </Router>
    }
}

/// Entry point of the wasm bundle: takes over the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
