//! `/brand/<slug>/listings`: the brand's listings, filterable by status.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use crate::catalog::{brand_listings, ListingStatus};
use crate::core::ui::{FilterTab, InlineError, SignInPrompt, Skeleton};
use crate::core::AppError;

use super::price_range;
use super::{slug_param, status_badge};

/// `/brand/:slug/listings`: the brand's listings, filterable by status.
#[component]
pub fn BrandListingsPage() -> impl IntoView {
    let slug = slug_param();
    let query = use_query_map();
    let status = move || {
        query
            .get()
            .get("status")
            .and_then(|s| ListingStatus::parse(&s))
    };
    let (after, set_after) = signal(None::<String>);
    let listings = Resource::new(
        move || (slug(), status(), after.get()),
        |(slug, status, after)| brand_listings(slug, status, after),
    );
    let tab = move |label: &'static str, value: Option<ListingStatus>| {
        let href = Signal::derive(move || match value {
            Some(s) => format!("/brand/{}/listings?status={}", slug(), s.as_str()),
            None => format!("/brand/{}/listings", slug()),
        });
        view! { <FilterTab label href current=Signal::derive(move || status() == value)/> }
    };
    view! {
        <Title text="Listings"/>
        <section class="container page">
            <div class="page__head">
                <h1>"Listings"</h1>
                <div class="button-row">
                    <A href=move || format!("/brand/{}/imports", slug()) attr:class="button button--ghost">"Import / export"</A>
                    <A href=move || format!("/brand/{}/listings/new", slug()) attr:class="button button--primary">"New listing"</A>
                </div>
            </div>
            <crate::brands::DashboardNav slug=slug() current="listings"/>
            <nav aria-label="Listing status">
                <ul class="filter-tabs">
                    {tab("All", None)}
                    {tab("Drafts", Some(ListingStatus::Draft))}
                    {tab("Published", Some(ListingStatus::Published))}
                    {tab("Archived", Some(ListingStatus::Archived))}
                </ul>
            </nav>
            <Transition fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                {move || listings.get().map(|result| match result {
                    Ok(page) if page.items.is_empty() => view! {
                        <div class="notice">
                            <h2 class="notice__title">"No listings here yet"</h2>
                            <p>"Create a listing with its variants, add stock, then publish it to the storefront."</p>
                        </div>
                    }.into_any(),
                    Ok(page) => {
                        let next = page.next_cursor.clone();
                        view! {
                            <ul class="listing-rows">
                                {page.items.into_iter().map(|card| {
                                    let href = format!("/brand/{}/listings/{}", slug(), card.id);
                                    let price = price_range(&card);
                                    view! {
                                        <li>
                                            <A href=href attr:class="listing-row">
                                                <span class="listing-row__title">{card.title.clone()}</span>
                                                <span class="listing-row__meta">
                                                    {status_badge(card.status)}
                                                    <span>{price}</span>
                                                    <span>{format!("{} available", card.available)}</span>
                                                </span>
                                            </A>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            {next.map(|cursor| view! {
                                <button class="button button--secondary" type="button" on:click=move |_| set_after.set(Some(cursor.clone()))>"Next page"</button>
                            })}
                        }.into_any()
                    }
                    Err(AppError::Unauthorized) => view! { <SignInPrompt message="Sign in to manage listings." next="/brands"/> }.into_any(),
                    Err(error) => view! { <InlineError error/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}
