use chrono::Utc;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};

use leptos_router::components::A;

use crate::catalog::{search_listings, ListingGrid, SearchQuery, SearchSort, CATEGORIES};
use crate::core::ui::{capitalise, FilterTab, InlineError, Skeleton};
use crate::festival::{countdown_parts, get_festival, Festival, FestivalPhase};

/// The home page: the festival with a live countdown, and what Gala offers shoppers and brands.
#[component]
pub fn HomePage() -> impl IntoView {
    let festival = Resource::new(|| (), |_| get_festival());
    let fresh = Resource::new(
        || (),
        |_| {
            search_listings(SearchQuery {
                sort: Some(SearchSort::Newest),
                in_stock: Some(true),
                limit: Some(8),
                ..Default::default()
            })
        },
    );

    view! {
        <Title text="The festival in your pocket"/>
        <Meta name="description" content="Watch the See Now, Buy Now runway show, pay pre-sale deposits and shop 11.11 on Gala."/>
        <section class="hero">
            <div class="container hero__inner">
                <p class="eyebrow">"See Now, Buy Now"</p>
                <h1 class="hero__title">"The festival in your pocket"</h1>
                <p class="hero__lead">
                    "Watch the runway live and buy each look the moment it appears. "
                    "Reserve festival deals early and pick them up in a pop-up store near you."
                </p>
                <Suspense fallback=|| view! { <Skeleton class="countdown-skeleton"/> }>
                    {move || festival.get().map(|result| match result {
                        Ok(Some(festival)) => view! { <FestivalCountdown festival/> }.into_any(),
                        Ok(None) => view! {
                            <p class="hero__empty">"The next festival will be announced soon."</p>
                        }.into_any(),
                        Err(error) => view! { <InlineError error/> }.into_any(),
                    })}
                </Suspense>
            </div>
        </section>
        <crate::promotions::EnvelopeGame/>
        <section class="container shelf" aria-labelledby="fresh-title">
            <div class="page__head">
                <h2 id="fresh-title" class="section-title">"Fresh on the runway"</h2>
                <A href="/search?sort=newest" attr:class="button button--ghost">"See all"</A>
            </div>
            <nav aria-label="Categories">
                <ul class="filter-tabs">
                    {CATEGORIES.iter().map(|c| view! {
                        <FilterTab label=capitalise(c) href=Signal::stored(format!("/c/{c}"))/>
                    }).collect_view()}
                </ul>
            </nav>
            <Transition fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                {move || fresh.get().map(|result| match result {
                    Ok(page) => view! { <ListingGrid page empty="Brands are setting up their stores. Come back soon!"/> }.into_any(),
                    Err(error) => view! { <InlineError error/> }.into_any(),
                })}
            </Transition>
        </section>
        <section class="container features" aria-labelledby="features-title">
            <h2 id="features-title" class="section-title">"How Gala works"</h2>
            <ul class="feature-grid">
                <FeatureCard
                    id="live"
                    title="The live runway"
                    body="Models walk, products drop, and you buy in one tap while the show runs. Limited drops, fair for everyone."
                />
                <FeatureCard
                    id="presale"
                    title="Pre-sale warm-up"
                    body="Lock in festival prices weeks ahead with a small deposit; pay the balance when the festival opens."
                />
                <FeatureCard
                    id="stores"
                    title="Pop-up stores"
                    body="Try it on in a pop-up store in your city and check out from your phone, online and offline as one."
                />
            </ul>
        </section>
    }
}

/// The festival's name and a countdown that ticks once the page is hydrated.
#[component]
fn FestivalCountdown(festival: Festival) -> impl IntoView {
    let (now, set_now) = signal(Utc::now());
    // Tick in the browser only; the server renders the moment of the request.
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || set_now.set(Utc::now()),
            std::time::Duration::from_secs(1),
        );
        on_cleanup(move || {
            if let Ok(handle) = handle {
                handle.clear();
            }
        });
    });
    let name = festival.name.clone();
    let phase = move || festival.phase_at(now.get());

    view! {
        <div class="countdown" role="timer" aria-live="off">
            <p class="countdown__name">{name}</p>
            {move || match phase() {
                FestivalPhase::Upcoming { seconds_to_go } => view! {
                    <CountdownClock label="Opens in" live=false seconds=seconds_to_go/>
                }.into_any(),
                FestivalPhase::Live { seconds_left } => view! {
                    <CountdownClock label="Live now · closes in" live=true seconds=seconds_left/>
                }.into_any(),
                FestivalPhase::Ended => view! {
                    <p class="countdown__label">"This festival has ended. Thank you for shopping!"</p>
                }.into_any(),
            }}
        </div>
    }
}

/// Days, hours, minutes and seconds under a label.
#[component]
fn CountdownClock(label: &'static str, live: bool, seconds: i64) -> impl IntoView {
    let (d, h, m, s) = countdown_parts(seconds);
    view! {
        <p class="countdown__label" class:countdown__label--live=live>{label}</p>
        <ol class="countdown__units">
            <CountdownUnit value=d unit="days"/>
            <CountdownUnit value=h unit="hours"/>
            <CountdownUnit value=m unit="min"/>
            <CountdownUnit value=s unit="sec"/>
        </ol>
    }
}

#[component]
fn CountdownUnit(value: i64, unit: &'static str) -> impl IntoView {
    view! {
        <li class="countdown__unit" data-unit=unit>
            <span class="countdown__value">{format!("{value:02}")}</span>
            <span class="countdown__unit-name">{unit}</span>
        </li>
    }
}

#[component]
fn FeatureCard(id: &'static str, title: &'static str, body: &'static str) -> impl IntoView {
    view! {
        <li class="feature-card" id=id>
            <h3 class="feature-card__title">{title}</h3>
            <p class="feature-card__body">{body}</p>
        </li>
    }
}
