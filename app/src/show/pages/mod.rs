//! The show's pages: planning and review, the producer console, the viewer page and embed.

mod brand;
mod console;
mod viewer;

use leptos::prelude::*;

pub use brand::{AdminShowsPage, BrandShowsPage, GalasPage, ShowEditorPage};
pub use console::ProducerConsolePage;
pub use viewer::{EmbedShowPage, ShowPage, ShowsPage};

use super::ShowStatus;

/// Whose shows a planning or producing page works on: a brand's, or the platform's galas.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Host {
    Brand(String),
    Platform,
}

impl Host {
    /// From the route's `slug` parameter: none under `/admin/galas`.
    fn from_params() -> Memo<Host> {
        let params = leptos_router::hooks::use_params_map();
        Memo::new(move |_| params.get().get("slug").map_or(Host::Platform, Host::Brand))
    }

    /// The `slug` argument of the show server functions (none: the platform).
    fn slug(&self) -> Option<String> {
        match self {
            Host::Brand(slug) => Some(slug.clone()),
            Host::Platform => None,
        }
    }

    /// Where the host's shows are planned.
    fn shows_path(&self) -> String {
        match self {
            Host::Brand(slug) => format!("/brand/{slug}/shows"),
            Host::Platform => "/admin/galas".to_owned(),
        }
    }

    /// The brand dashboard's tabs, or the admin's.
    fn nav(&self) -> AnyView {
        match self.slug() {
            Some(slug) => view! { <crate::brands::DashboardNav slug current="shows"/> }.into_any(),
            None => view! { <crate::core::ui::AdminNav current="galas"/> }.into_any(),
        }
    }
}

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
