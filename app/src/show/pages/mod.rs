//! The show's pages: planning and review, the producer console, the viewer page and embed.

mod brand;
mod console;
mod viewer;

use leptos::prelude::*;

pub use brand::{AdminShowsPage, BrandShowsPage, ShowEditorPage};
pub use console::ProducerConsolePage;
pub use viewer::{EmbedShowPage, ShowPage, ShowsPage};

use super::ShowStatus;

/// A show's status as a badge.
fn status_badge(status: ShowStatus) -> impl IntoView {
    let class = match status {
        ShowStatus::Live => "badge badge--live",
        ShowStatus::Approved => "badge badge--success",
        ShowStatus::Submitted => "badge badge--warning",
        ShowStatus::Rejected => "badge badge--danger",
        _ => "badge",
    };
    view! { <span class=class>{status.label()}</span> }
}
