//! The shopper's catalog pages: search (with filters and sorts), category pages, the listing
//! page with its variant picker, and the listing cards other pages reuse.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_params_map, use_query_map},
};

use super::{
    search_listings, storefront_listing, ListingCard, ListingDetail, ListingPage, SearchQuery,
    SearchSort, CATEGORIES,
};
use crate::checkout::cart::{AddToCart, AddToCartButton};
use crate::core::money::{self, format_amount};
use crate::core::ui::{capitalise, InlineError, NotFoundPage, Skeleton};
use crate::core::AppError;

/// A listing in a grid: photo (or initial), title, brand, price, stock.
#[component]
pub fn ListingCardView(card: ListingCard) -> impl IntoView {
    let price = super::pages::price_range(&card);
    let initial = card
        .title
        .chars()
        .next()
        .unwrap_or('?')
        .to_uppercase()
        .to_string();
    view! {
        <li class="product-card">
            <A href=format!("/p/{}", card.id) attr:class="product-card__link">
                {match card.cover_url.clone() {
                    Some(url) => view! { <img class="product-card__image" src=url alt="" loading="lazy"/> }.into_any(),
                    None => view! { <span class="product-card__image product-card__image--empty" aria-hidden="true">{initial}</span> }.into_any(),
                }}
                <span class="product-card__brand">{card.brand_name.clone()}</span>
                <span class="product-card__title">{card.title.clone()}</span>
                <span class="product-card__price">{price}</span>
                {(card.available <= 0).then(|| view! { <span class="badge badge--danger">"Sold out"</span> })}
            </A>
        </li>
    }
}

/// A grid of listing cards with its empty state.
#[component]
pub fn ListingGrid(page: ListingPage, #[prop(into)] empty: String) -> impl IntoView {
    if page.items.is_empty() {
        return view! { <div class="notice"><p>{empty}</p></div> }.into_any();
    }
    view! {
        <ul class="product-grid">
            {page.items.into_iter().map(|card| view! { <ListingCardView card/> }).collect_view()}
        </ul>
    }
    .into_any()
}

fn query_from_url(
    params: &leptos_router::params::ParamsMap,
    category: Option<String>,
) -> SearchQuery {
    let get = |key: &str| params.get(key).filter(|v| !v.trim().is_empty());
    let currency_free_amount = |key: &str| get(key).and_then(|v| money::parse_amount(&v, "CNY"));
    SearchQuery {
        q: get("q"),
        category: category.or_else(|| get("category")),
        brand: get("brand"),
        min_price: currency_free_amount("min"),
        max_price: currency_free_amount("max"),
        in_stock: get("in_stock").map(|v| v == "1" || v == "true" || v == "on"),
        sort: get("sort").and_then(|s| SearchSort::parse(&s)),
        after: get("after"),
        limit: None,
    }
}

/// `/search` and `/c/:category`: storefront search with filters. A plain GET form, so results
/// have shareable URLs and the page works before the script loads.
#[component]
pub fn SearchPage() -> impl IntoView {
    let query_map = use_query_map();
    let params = use_params_map();
    let category = move || params.get().get("category");
    let query = Memo::new(move |_| query_from_url(&query_map.get(), category()));
    let results = Resource::new(move || query.get(), search_listings);
    let heading = move || match (query.get().q, category()) {
        (Some(q), _) => format!("Results for “{q}”"),
        (None, Some(c)) => capitalise(&c),
        (None, None) => "Shop the festival".to_owned(),
    };
    let next_href = move |cursor: String| {
        let mut pairs: Vec<(String, String)> = query_map
            .get()
            .into_iter()
            .filter(|(k, _)| k != "after")
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        pairs.push(("after".into(), cursor));
        let encoded: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect();
        format!("?{}", encoded.join("&"))
    };
    view! {
        <Title text=heading/>
        <Meta name="description" content="Search Gala's festival catalog: brands, runway pieces and deals."/>
        <section class="container page">
            <h1>{heading}</h1>
            <form class="search-form" method="get" action=move || category().map(|c| format!("/c/{c}")).unwrap_or_else(|| "/search".into()) role="search">
                <div class="search-form__main">
                    <label class="visually-hidden" for="search-q">"Search"</label>
                    <input class="field__input" id="search-q" type="search" name="q" placeholder="Search brands and products" prop:value=move || query.get().q.unwrap_or_default()/>
                    <button class="button button--primary" type="submit">"Search"</button>
                </div>
                <details class="search-form__filters">
                    <summary>"Filters and sort"</summary>
                    <div class="field-grid">
                        {move || category().is_none().then(|| view! {
                            <div class="field">
                                <label class="field__label" for="search-category">"Category"</label>
                                <select class="field__input" id="search-category" name="category">
                                    <option value="">"All categories"</option>
                                    {CATEGORIES.iter().map(|c| view! { <option value=*c selected=query.get().category.as_deref() == Some(*c)>{capitalise(c)}</option> }).collect_view()}
                                </select>
                            </div>
                        })}
                        <div class="field">
                            <label class="field__label" for="search-min">"Min price"</label>
                            <input class="field__input" id="search-min" name="min" inputmode="decimal" prop:value=move || query_map.get().get("min").unwrap_or_default()/>
                        </div>
                        <div class="field">
                            <label class="field__label" for="search-max">"Max price"</label>
                            <input class="field__input" id="search-max" name="max" inputmode="decimal" prop:value=move || query_map.get().get("max").unwrap_or_default()/>
                        </div>
                        <div class="field">
                            <label class="field__label" for="search-sort">"Sort by"</label>
                            <select class="field__input" id="search-sort" name="sort">
                                {[(SearchSort::Relevance, "Best match"), (SearchSort::Newest, "Newest"), (SearchSort::PriceAsc, "Price: low to high"), (SearchSort::PriceDesc, "Price: high to low")].into_iter().map(|(s, label)| view! {
                                    <option value=s.as_str() selected=move || query.get().sort == Some(s)>{label}</option>
                                }).collect_view()}
                            </select>
                        </div>
                        <label class="choice"><input type="checkbox" name="in_stock" value="1" prop:checked=move || query.get().in_stock == Some(true)/>" In stock only"</label>
                    </div>
                    <button class="button button--secondary" type="submit">"Apply"</button>
                </details>
            </form>
            <Transition fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                {move || results.get().map(|result| match result {
                    Ok(page) => {
                        let next = page.next_cursor.clone();
                        view! {
                            <ListingGrid page empty="Nothing matches yet. Try other words or fewer filters."/>
                            {next.map(|cursor| view! { <A href=next_href(cursor) attr:class="button button--secondary">"More results"</A> })}
                        }.into_any()
                    }
                    Err(error) => view! { <InlineError error/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `/p/:id`: a listing with its variant picker, price and availability.
#[component]
pub fn ListingPageView() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.get().get("id").unwrap_or_default();
    let listing = Resource::new(id, storefront_listing);
    // The store's coupons. Keyed by the listing's id, like the listing itself, so the server
    // resolves both before it renders and the browser hydrates them as sent: a resource keyed
    // by the listing's *result* would fetch again after hydration, and a tap on "Buy now"
    // meanwhile navigated away from a page still loading.
    let offers = Resource::new(id, |id| async move {
        match storefront_listing(id).await {
            Ok(detail) => crate::promotions::claimable_coupons(Some(detail.brand_slug)).await,
            Err(_) => Ok(Vec::new()),
        }
    });
    view! {
        <section class="container page">
            <Suspense fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                {move || listing.get().map(|result| match result {
                    Ok(detail) => view! { <ListingDetailView detail/> <crate::promotions::CouponOffers offers/> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFoundPage/> }.into_any(),
                    Err(error) => view! { <InlineError error/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ListingDetailView(detail: ListingDetail) -> impl IntoView {
    let variants = StoredValue::new(detail.variants.clone());
    // The first variant in stock (or the first one) is preselected.
    let first = detail
        .variants
        .iter()
        .position(|v| v.available > 0)
        .unwrap_or(0);
    let (picked, set_picked) = signal(first);
    let current = move || variants.with_value(|v| v.get(picked.get()).cloned());
    let description: String = detail.description.chars().take(160).collect();
    let options = detail.options.clone();
    let add = ServerAction::<AddToCart>::new();
    let navigate = use_navigate();
    view! {
        <Title text=detail.title.clone()/>
        <Meta name="description" content=description/>
        <Meta property="og:title" content=detail.title.clone()/>
        <article class="listing">
            <div class="listing__media">
                {if detail.images.is_empty() {
                    view! { <div class="listing__image listing__image--empty" aria-hidden="true">{detail.title.chars().next().unwrap_or('?').to_uppercase().to_string()}</div> }.into_any()
                } else {
                    let images = StoredValue::new(detail.images.clone());
                    let title = detail.title.clone();
                    let (shown, set_shown) = signal(0usize);
                    view! {
                        <img class="listing__image" src=move || images.with_value(|i| i[shown.get()].url.clone()) alt=title.clone()/>
                        {(images.with_value(Vec::len) > 1).then(|| view! {
                            <ul class="listing__thumbs">
                                {images.get_value().into_iter().enumerate().map(|(i, image)| view! {
                                    <li>
                                        <button class="listing__thumb" class:listing__thumb--current=move || shown.get() == i type="button"
                                            aria-label=format!("Show photo {}", i + 1) on:click=move |_| set_shown.set(i)>
                                            <img src=image.thumb_url alt=""/>
                                        </button>
                                    </li>
                                }).collect_view()}
                            </ul>
                        })}
                    }.into_any()
                }}
            </div>
            <div class="listing__info">
                <A href=format!("/b/{}", detail.brand_slug) attr:class="listing__brand">{detail.brand_name.clone()}</A>
                <h1 class="listing__title">{detail.title.clone()}</h1>
                <p class="listing__price">
                    {move || current().map(|v| format_amount(v.price_minor, &v.currency))}
                    {move || current().and_then(|v| v.compare_at_minor.map(|was| view! {
                        " " <s class="listing__was">{format_amount(was, &v.currency)}</s>
                    }))}
                </p>
                // A real form: without (or before) the wasm, "Add to cart" posts the picked
                // variant to the cart's server function and "Buy now" opens the checkout for it.
                <ActionForm action=add attr:class="listing__buy-form">
                    <input type="hidden" name="quantity" value="1"/>
                    {if options.is_empty() {
                        view! { <input type="hidden" name="sku" value=move || current().map(|v| v.id).unwrap_or_default()/> }.into_any()
                    } else {
                        view! {
                            <fieldset class="variant-picker">
                                <legend class="field__label">{options.iter().map(|o| o.name.clone()).collect::<Vec<_>>().join(" / ")}</legend>
                                <div class="variant-picker__choices">
                                    {variants.get_value().into_iter().enumerate().map(|(i, v)| {
                                        let label = v.option_values.join(" / ");
                                        let sold_out = v.available <= 0;
                                        view! {
                                            <label class="variant-chip" class:variant-chip--selected=move || picked.get() == i class:variant-chip--sold-out=sold_out>
                                                <input class="visually-hidden" type="radio" name="sku" value=v.id.clone() checked=i == first prop:checked=move || picked.get() == i on:change=move |_| set_picked.set(i)/>
                                                {label}
                                            </label>
                                        }
                                    }).collect_view()}
                                </div>
                            </fieldset>
                        }.into_any()
                    }}
                    <p class="listing__stock" role="status">
                        {move || current().map(|v| if v.available > 0 {
                            view! { <span class="badge badge--success">"In stock"</span> " " {format!("{} available", v.available)} }.into_any()
                        } else {
                            view! { <span class="badge badge--danger">"Sold out"</span> }.into_any()
                        })}
                    </p>
                    <Show when=move || current().is_some_and(|v| v.available > 0)>
                        <div class="listing__actions">
                            <button class="button button--primary button--block listing__buy" type="submit" formaction="/checkout" formmethod="get"
                                on:click={
                                    let navigate = navigate.clone();
                                    move |ev| {
                                    ev.prevent_default();
                                    navigate(&format!("/checkout?sku={}", current().map(|v| v.id).unwrap_or_default()), Default::default());
                                }}>"Buy now"</button>
                            <AddToCartButton action=add sku=Signal::derive(move || current().map(|v| v.id).unwrap_or_default())/>
                        </div>
                    </Show>
                </ActionForm>
                <p class="listing__sku">{move || current().map(|v| format!("SKU {}", v.code))}</p>
                <div class="listing__description" inner_html=detail.description_html.clone()></div>
            </div>
        </article>
    }
}
