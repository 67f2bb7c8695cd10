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

/// Declares a group of pages whose code is one lazily loaded chunk of the wasm (built with
/// `cargo leptos build --split`): an enum naming the pages, the group's `#[lazy]` function
/// that renders one of them (the split point: the pages, and everything only they use, move
/// into its chunk), and for each page a route type that loads the chunk and renders the page.
/// `$preload` names the loader `#[lazy]` generates in the browser (`__preload_<function>`).
/// On the server the function renders as usual and adds a `<link rel="preload">` for the
/// chunk to the page's head, so the browser fetches it beside the main module.
macro_rules! page_group {
    ($group:ident, $preload:ident, $pages:ident { $($route:ident => $page:path,)* }) => {
        /// The pages of one lazily loaded group.
        #[derive(Debug, Clone, Copy)]
        enum $pages {
            $($route,)*
        }

        /// Renders one page of the group; its code arrives with the group's chunk.
        #[leptos::lazy]
        fn $group(page: $pages) -> AnyView {
            layout::mark_hydrated();
            match page {
                $($pages::$route => $page().into_any(),)*
            }
        }

        $(
            #[doc = concat!("The route of [`", stringify!($page), "`], loaded with its group.")]
            struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                async fn view(_this: Self) -> AnyView {
                    $group($pages::$route).await
                }

                // Hydration waits for this before it takes over the page, so the server's
                // HTML is hydrated by the page's own code rather than drawn again.
                async fn preload() {
                    #[cfg(feature = "hydrate")]
                    $preload().await;
                }
            }
        )*
    };
}

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
pub mod presale;
pub mod promotions;
pub mod show;
#[cfg(feature = "ssr")]
pub mod state;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    Lazy, LazyRoute, ParamSegment, SsrMode, StaticSegment,
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
                <Routes fallback=|| { layout::mark_hydrated(); NotFoundPage() }>
                    <Route path=StaticSegment("") view={Lazy::<HomeRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=StaticSegment("signup") view={Lazy::<SignUpRoute>::new()}/>
                    <Route path=StaticSegment("signin") view={Lazy::<SignInRoute>::new()}/>
                    <Route path=StaticSegment("verify-email") view={Lazy::<VerifyEmailRoute>::new()}/>
                    <Route path=StaticSegment("forgot-password") view={Lazy::<ForgotPasswordRoute>::new()}/>
                    <Route path=StaticSegment("reset-password") view={Lazy::<ResetPasswordRoute>::new()}/>
                    <Route path=StaticSegment("account") view={Lazy::<AccountRoute>::new()}/>
                    <Route path=StaticSegment("brands") view={Lazy::<BrandsRoute>::new()}/>
                    <Route path=(StaticSegment("brands"), StaticSegment("apply")) view={Lazy::<ApplyBrandRoute>::new()}/>
                    <Route path=(StaticSegment("brand"), ParamSegment("slug")) view={Lazy::<BrandDashboardRoute>::new()}/>
                    <Route path=(StaticSegment("brand"), ParamSegment("slug"), StaticSegment("team")) view={Lazy::<TeamRoute>::new()}/>
                    <Route path=(StaticSegment("brand"), ParamSegment("slug"), StaticSegment("listings")) view={Lazy::<BrandListingsRoute>::new()}/>
                    <Route path=(StaticSegment("brand"), ParamSegment("slug"), StaticSegment("listings"), StaticSegment("new")) view={Lazy::<NewListingRoute>::new()}/>
                    <Route path=(StaticSegment("brand"), ParamSegment("slug"), StaticSegment("listings"), ParamSegment("id")) view={Lazy::<EditListingRoute>::new()}/>
                    <Route path=(StaticSegment("brand"), ParamSegment("slug"), StaticSegment("imports")) view={Lazy::<ImportsRoute>::new()}/>
                    <Route path=(StaticSegment("brand"), ParamSegment("slug"), StaticSegment("orders")) view={Lazy::<BrandOrdersRoute>::new()}/>
                    <Route path=(StaticSegment("brand"), ParamSegment("slug"), StaticSegment("orders"), ParamSegment("id")) view={Lazy::<BrandOrderRoute>::new()}/>
                    <Route path=(StaticSegment("brand"), ParamSegment("slug"), StaticSegment("imports"), ParamSegment("id")) view={Lazy::<ImportJobRoute>::new()}/>
                    <Route path=(StaticSegment("brand"), ParamSegment("slug"), StaticSegment("shows")) view={Lazy::<BrandShowsRoute>::new()}/>
                    <Route path=(StaticSegment("brand"), ParamSegment("slug"), StaticSegment("promotions")) view={Lazy::<BrandPromotionsRoute>::new()}/>
                    <Route path=(StaticSegment("admin"), StaticSegment("promotions")) view={Lazy::<AdminPromotionsRoute>::new()}/>
                    <Route path=(StaticSegment("brand"), ParamSegment("slug"), StaticSegment("shows"), ParamSegment("id")) view={Lazy::<ShowEditorRoute>::new()}/>
                    <Route path=(StaticSegment("brand"), ParamSegment("slug"), StaticSegment("shows"), ParamSegment("id"), StaticSegment("live")) view={Lazy::<ProducerConsoleRoute>::new()}/>
                    <Route path=StaticSegment("shows") view={Lazy::<ShowsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("show"), ParamSegment("id")) view={Lazy::<ShowRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("embed"), StaticSegment("show"), ParamSegment("id")) view={Lazy::<EmbedShowRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("admin"), StaticSegment("shows")) view={Lazy::<AdminShowsRoute>::new()}/>
                    <Route path=(StaticSegment("admin"), StaticSegment("galas")) view={Lazy::<GalasRoute>::new()}/>
                    <Route path=(StaticSegment("admin"), StaticSegment("galas"), ParamSegment("id")) view={Lazy::<ShowEditorRoute>::new()}/>
                    <Route path=(StaticSegment("admin"), StaticSegment("galas"), ParamSegment("id"), StaticSegment("live")) view={Lazy::<ProducerConsoleRoute>::new()}/>
                    <Route path=StaticSegment("search") view={Lazy::<SearchRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=StaticSegment("checkout") view={Lazy::<CheckoutRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=StaticSegment("cart") view={Lazy::<CartRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=StaticSegment("orders") view={Lazy::<MyOrdersRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=StaticSegment("coupons") view={Lazy::<WalletRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("claim"), ParamSegment("token")) view={Lazy::<ClaimRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("orders"), ParamSegment("id")) view={Lazy::<OrderRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("c"), ParamSegment("category")) view={Lazy::<SearchRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("p"), ParamSegment("id")) view={Lazy::<ListingRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("invites"), StaticSegment("accept")) view={Lazy::<AcceptInviteRoute>::new()}/>
                    <Route path=(StaticSegment("admin"), StaticSegment("brands")) view={Lazy::<AdminBrandsRoute>::new()}/>
                    // Async (here and on the shopper's pages above): the whole page is in the first answer,
                    // readable without the wasm, and a 404 (unknown or suspended brand) known before it.
                    <Route path=(StaticSegment("b"), ParamSegment("slug")) view={Lazy::<PublicBrandRoute>::new()} ssr=SsrMode::Async/>
                </Routes>
            </Layout>
        </Router>
    }
}

// The pages in five lazily loaded chunks of the wasm, by what a person is doing: a shopper's
// phone downloads the framework, the frame around pages and the code of the pages they are
// on (browsing, buying, the show, their account), never the brand workspace's or the
// admin's. Few groups rather than one chunk per page: the splitter puts code shared by
// several split points in chunks of its own, and one split point per page made hundreds of
// small files. Browsing and buying are apart because that measured faster on slow 4G
// (2.8-3.0 s to interactive instead of 3.3-3.5 s; see docs/architecture.md, "The browser
// bundle").
page_group!(storefront_page, __preload_storefront_page, StorefrontPages {
    HomeRoute => home::HomePage,
    SearchRoute => catalog::SearchPage,
    ListingRoute => catalog::ListingPageView,
    PublicBrandRoute => brands::PublicBrandPage,
});

page_group!(buying_page, __preload_buying_page, BuyingPages {
    CartRoute => checkout::cart::CartPage,
    CheckoutRoute => checkout::CheckoutPage,
    MyOrdersRoute => checkout::MyOrdersPage,
    OrderRoute => checkout::OrderPage,
    WalletRoute => promotions::WalletPage,
    ClaimRoute => promotions::ClaimPage,
});

page_group!(show_page, __preload_show_page, ShowPages {
    ShowsRoute => show::ShowsPage,
    ShowRoute => show::ShowPage,
    EmbedShowRoute => show::EmbedShowPage,
});

page_group!(account_page, __preload_account_page, AccountPages {
    SignUpRoute => auth::SignUpPage,
    SignInRoute => auth::SignInPage,
    VerifyEmailRoute => auth::VerifyEmailPage,
    ForgotPasswordRoute => auth::ForgotPasswordPage,
    ResetPasswordRoute => auth::ResetPasswordPage,
    AccountRoute => auth::AccountPage,
    AcceptInviteRoute => brands::AcceptInvitePage,
});

page_group!(workspace_page, __preload_workspace_page, WorkspacePages {
    BrandsRoute => brands::BrandsPage,
    ApplyBrandRoute => brands::ApplyBrandPage,
    BrandDashboardRoute => brands::BrandDashboardPage,
    TeamRoute => brands::TeamPage,
    BrandListingsRoute => catalog::BrandListingsPage,
    NewListingRoute => catalog::NewListingPage,
    EditListingRoute => catalog::EditListingPage,
    ImportsRoute => catalog::ImportsPage,
    ImportJobRoute => catalog::ImportJobPage,
    BrandOrdersRoute => fulfilment::BrandOrdersPage,
    BrandOrderRoute => fulfilment::BrandOrderPage,
    BrandPromotionsRoute => promotions::PromotionsPage,
    AdminPromotionsRoute => promotions::PromotionsPage,
    BrandShowsRoute => show::BrandShowsPage,
    ShowEditorRoute => show::ShowEditorPage,
    ProducerConsoleRoute => show::ProducerConsolePage,
    AdminShowsRoute => show::AdminShowsPage,
    GalasRoute => show::GalasPage,
    AdminBrandsRoute => brands::AdminBrandsPage,
});

/// Entry point of the wasm bundle: takes over the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // `hydrate_lazy`: each page's code is a lazily loaded chunk, hydrated once it has arrived.
    leptos::mount::hydrate_lazy(App);
}
