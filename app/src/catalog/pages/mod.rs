//! The brand dashboard's catalog pages: the listings list ([`listings`]), the listing editor —
//! details, options, variants, photos, publishing — ([`editor`]) with the stock per location
//! and its ledger ([`stock`]), and CSV imports ([`imports`]).

mod editor;
mod imports;
mod listings;
mod stock;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

pub use editor::{EditListingPage, NewListingPage};
pub use imports::{ImportJobPage, ImportsPage};
pub use listings::BrandListingsPage;

use super::{ListingCard, ListingStatus};
use crate::core::money::format_amount;

/// A listing's status as a badge.
pub(super) fn status_badge(status: ListingStatus) -> impl IntoView {
    let (class, label) = match status {
        ListingStatus::Draft => ("badge badge--warning", "Draft"),
        ListingStatus::Published => ("badge badge--success", "Published"),
        ListingStatus::Archived => ("badge", "Archived"),
    };
    view! { <span class=class>{label}</span> }
}

/// "¥129.00" or "¥99.00 – ¥129.00".
pub fn price_range(card: &ListingCard) -> String {
    if card.price_min_minor == card.price_max_minor {
        format_amount(card.price_min_minor, &card.currency)
    } else {
        format!(
            "{} – {}",
            format_amount(card.price_min_minor, &card.currency),
            format_amount(card.price_max_minor, &card.currency)
        )
    }
}

pub(super) fn slug_param() -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || params.get().get("slug").unwrap_or_default()
}
