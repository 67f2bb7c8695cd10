//! What viewers see: `/shows` (what's on), `/show/<id>` (the player, drops with one-tap
//! buying, chat, reactions; a shoppable replay once the show ends) and `/embed/show/<id>`
//! (player and product cards only, for other sites to frame).

use chrono::{DateTime, TimeDelta, Utc};
use leptos::prelude::*;
use leptos_meta::{Meta, Script, Title};
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::checkout::{AddressInput, CardInput};
use crate::core::money::format_amount;
use crate::core::time::{self, Style};
use crate::core::ui::{BoundField, ErrorList, InlineError, NotFoundPage, Skeleton};
use crate::core::AppError;
use crate::show::{
    load_show, one_tap, public_shows, send_chat, send_reaction, set_up_one_tap, BuyOutcome,
    LookView, OneTapStatus, ProductCard, ShowState, ShowStatus, ShowSummary, TapToBuy,
    MAX_CHAT_CHARS,
};

/// The live copy of a show's state, kept in step by its event stream once the page runs in
/// the browser (the server renders the state it read).
pub fn use_show_stream(id: String, initial: ShowState) -> RwSignal<Option<ShowState>> {
    let state = RwSignal::new(Some(initial));
    Effect::new(move |started: Option<()>| {
        if started.is_some() {
            return;
        }
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::{closure::Closure, JsCast};
            let Ok(source) = web_sys::EventSource::new(&format!("/api/v1/shows/{id}/events"))
            else {
                return;
            };
            let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
                move |event: web_sys::MessageEvent| {
                    let Some(text) = event.data().as_string() else {
                        return;
                    };
                    if let Ok(envelope) = serde_json::from_str::<crate::show::Envelope>(&text) {
                        state.update(|state| crate::show::receive(state, envelope));
                    }
                },
            );
            source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            // The handler lives as long as the page; the source is closed on leaving it.
            on_message.forget();
            let source = StoredValue::new_local(source);
            on_cleanup(move || source.with_value(|s| s.close()));
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &id;
    });
    state
}

/// The server's clock, ticking in the browser (corrected by how far the phone's clock is off
/// from the server's when the state arrived).
fn use_server_clock(server_now: DateTime<Utc>) -> Signal<DateTime<Utc>> {
    let skew = server_now - Utc::now();
    let (now, set_now) = signal(server_now);
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || set_now.set(Utc::now() + skew),
            std::time::Duration::from_millis(250),
        );
        on_cleanup(move || {
            if let Ok(handle) = handle {
                handle.clear();
            }
        });
    });
    now.into()
}

fn mm_ss(delta: TimeDelta) -> String {
    let secs = delta.num_seconds().max(0);
    format!("{}:{:02}", secs / 60, secs % 60)
}

/// `/shows`
#[component]
pub fn ShowsPage() -> impl IntoView {
    let shows = Resource::new(|| (), |_| public_shows());
    view! {
        <Title text="Live shows"/>
        <Meta name="description" content="Watch brands' runway shows live and buy what you see the moment it appears."/>
        <section class="container page">
            <div class="page__head"><h1>"Live shows"</h1></div>
            <Transition fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                {move || shows.get().map(|result| match result {
                    Ok(shows) if shows.is_empty() => view! {
                        <div class="notice">
                            <h2 class="notice__title">"No shows scheduled yet"</h2>
                            <p>"When brands schedule a See Now, Buy Now show, it appears here."</p>
                        </div>
                    }.into_any(),
                    Ok(shows) => view! {
                        <ul class="show-grid">
                            {shows.into_iter().map(|show| view! { <ShowTile show/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <InlineError error/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ShowTile(show: ShowSummary) -> impl IntoView {
    let badge = match show.status {
        ShowStatus::Live => view! { <span class="badge badge--live">"Live"</span> }.into_any(),
        ShowStatus::Ended => view! { <span class="badge">"Replay"</span> }.into_any(),
        _ => view! { <span class="badge badge--warning">{time::display(show.starts_at, Style::DayTime)}</span> }.into_any(),
    };
    view! {
        <li class="show-tile">
            <A href=format!("/show/{}", show.id) attr:class="show-tile__link">
                <div class="show-tile__cover">
                    {show.cover_url.clone().map(|src| view! { <img src=src alt="" loading="lazy"/> })}
                    {badge}
                </div>
                <span class="show-tile__title">{show.title.clone()}</span>
                <span class="show-tile__brand">{show.brand_name.clone()}</span>
            </A>
        </li>
    }
}

/// `/show/:id`
#[component]
pub fn ShowPage() -> impl IntoView {
    view! { <ShowLoader embed=false/> }
}

/// `/embed/show/:id`: the player and product cards, for other sites' frames.
#[component]
pub fn EmbedShowPage() -> impl IntoView {
    view! { <ShowLoader embed=true/> }
}

#[component]
fn ShowLoader(embed: bool) -> impl IntoView {
    let params = use_params_map();
    let id = move || params.get().get("id").unwrap_or_default();
    let show = Resource::new(id, load_show);
    // Created here, beside `show`, and read only inside the one boundary below (README,
    // "Architecture"; breaking that rule once showed as a 30 s time-out of `GET /show/{id}`).
    // A Transition, so that refreshing the one-tap status after a buyer saves a card keeps
    // the show (and its video) on screen.
    let one_tap = Resource::new(|| (), |_| one_tap());
    view! {
        <Transition fallback=|| view! { <section class="container page"><Skeleton class="skeleton--card"/></section> }>
            {move || show.get().map(|result| match result {
                Ok(state) => view! { <LiveShow state embed one_tap_status=one_tap/> }.into_any(),
                Err(AppError::NotFound) => view! { <NotFoundPage/> }.into_any(),
                Err(error) => view! { <section class="container page"><InlineError error/></section> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn LiveShow(
    state: ShowState,
    embed: bool,
    one_tap_status: Resource<Result<OneTapStatus, AppError>>,
) -> impl IntoView {
    let id = state.id.clone();
    let title = state.title.clone();
    let description = if state.description.is_empty() {
        format!(
            "{} by {} — watch and buy the runway live on Gala.",
            state.title, state.brand_name
        )
    } else {
        state.description.clone()
    };
    let now = use_server_clock(state.server_now);
    let live = use_show_stream(id.clone(), state);
    let with = move |f: &dyn Fn(&ShowState) -> String| {
        live.with(|s| s.as_ref().map(f).unwrap_or_default())
    };
    // Memos, not closures over `live`: the stream updates `live` many times a second (viewers,
    // stock, chat), and a view that re-renders on each update would rebuild its nodes.
    let status = Memo::new(move |_| live.with(|s| s.as_ref().map(|s| s.status)));
    // In a replay, products appear when the video reaches the moment they dropped.
    let playhead = RwSignal::new(0.0f64);
    let video_ref = NodeRef::<leptos::html::Video>::new();
    let visible_looks = move || {
        live.with(|s| {
            let Some(s) = s else { return Vec::new() };
            let mut looks: Vec<LookView> = match (s.status, s.live_at) {
                (ShowStatus::Ended, Some(live_at)) => s
                    .looks
                    .iter()
                    .filter(|l| {
                        l.revealed_at.is_some_and(|at| {
                            (at - live_at).num_milliseconds() as f64 / 1000.0 <= playhead.get()
                        })
                    })
                    .cloned()
                    .collect(),
                _ => s.looks.clone(),
            };
            looks.reverse(); // newest drop first
            looks
        })
    };
    let has_looks = Memo::new(move |_| !visible_looks().is_empty());
    let stream_url = with(&|s| s.stream_url.clone());
    // HLS plays natively in Safari and through hls.js elsewhere (/js/player.js loads it once
    // the page is interactive); MP4 as is.
    let is_hls = stream_url
        .split(['?', '#'])
        .next()
        .is_some_and(|path| path.to_ascii_lowercase().ends_with(".m3u8"));
    let (video_src, video_hls) = if is_hls {
        (None, Some(stream_url))
    } else {
        (Some(stream_url), None)
    };
    let poster = with(&|s| s.cover_url.clone().unwrap_or_default());
    let show_id = StoredValue::new(id.clone());
    let react = Action::new(move |_: &()| send_reaction(show_id.get_value()));
    view! {
        <Title text=title.clone()/>
        <Meta name="description" content=description/>
        <Meta property="og:title" content=title.clone()/>
        <Meta property="og:type" content="video.other"/>
        // The player script fetches hls.js itself, only where the browser needs it.
        <Script src="/js/player.js" defer="true"/>
        <section class="show" class:show--embed=embed>
            <div class="show__stage">
                <video
                    class="show__video"
                    node_ref=video_ref
                    src=video_src
                    data-hls=video_hls
                    poster=poster
                    controls=true
                    playsinline=true
                    muted=true
                    autoplay=move || status.get() == Some(ShowStatus::Live)
                    on:timeupdate=move |_| {
                        if let Some(video) = video_ref.get() {
                            playhead.set(video.current_time());
                        }
                    }
                ></video>
                <div class="show__overlay">
                    {move || match status.get() {
                        Some(ShowStatus::Live) => view! { <span class="badge badge--live" data-testid="live-badge">"Live"</span> }.into_any(),
                        Some(ShowStatus::Ended) => view! { <span class="badge">"Replay"</span> }.into_any(),
                        _ => view! { <span class="badge badge--warning">"Starts " {with(&|s| time::display(s.starts_at, Style::DayTime))}</span> }.into_any(),
                    }}
                    <span class="show__viewers" data-testid="viewer-count">
                        {move || live.with(|s| s.as_ref().map(|s| s.stats.viewers).unwrap_or(0))} " watching"
                    </span>
                </div>
            </div>
            <div class="show__body">
                <header class="show__head">
                    <h1 class="show__title">{title}</h1>
                    <p class="show__brand">
                        {
                            let (slug, name) = (with(&|s| s.brand_slug.clone()), with(&|s| s.brand_name.clone()));
                            // A gala has no one brand page to link to.
                            if slug.is_empty() {
                                view! { <span>{name}</span> }.into_any()
                            } else {
                                view! { <A href=format!("/b/{slug}")>{name}</A> }.into_any()
                            }
                        }
                    </p>
                </header>
                <p class="show__ticker" aria-live="polite" data-testid="sales-ticker">
                    {move || live.with(|s| s.as_ref().map(|s| {
                        let sold = s.stats.units_sold;
                        match s.stats.latest.first() {
                            Some(latest) => format!("{sold} sold · just now: {latest}"),
                            None if sold > 0 => format!("{sold} sold"),
                            None => String::new(),
                        }
                    }).unwrap_or_default())}
                </p>
                <section class="show__drops" aria-label="Products in this show">
                    {move || if has_looks.get() {
                        // Keyed by look (and its products): a card lives as long as its look is
                        // shown, so a buyer's tap in flight and its answer survive every update.
                        view! {
                            <For each=visible_looks key=look_key let:look>
                                <LookCards look live now one_tap=one_tap_status embed/>
                            </For>
                        }.into_any()
                    } else {
                        view! {
                            <p class="show__waiting">{move || match status.get() {
                                Some(ShowStatus::Ended) => "Play the replay: products appear as they walked the runway.",
                                Some(ShowStatus::Live) => "The first look is about to drop. Stay tuned!",
                                _ => "Products appear here the moment each look walks the runway.",
                            }}</p>
                        }.into_any()
                    }}
                </section>
                {(!embed).then(|| view! {
                    <OneTapPanel status=one_tap_status show_id=show_id.get_value()/>
                    <div class="show__reactions">
                        <button class="button button--secondary reaction-button" type="button"
                            disabled=move || status.get() != Some(ShowStatus::Live)
                            on:click=move |_| { react.dispatch(()); }>
                            "♥ " {move || live.with(|s| s.as_ref().map(|s| s.stats.reactions).unwrap_or(0))}
                        </button>
                    </div>
                    <Show when=move || status.get() == Some(ShowStatus::Live)>
                        <crate::promotions::EnvelopeGame show_id=show_id.get_value()/>
                    </Show>
                    <Chat live show_id=show_id.get_value()/>
                })}
            </div>
        </section>
    }
}

/// What identifies a look's cards: the look and the products it shows.
fn look_key(look: &LookView) -> (String, Vec<String>) {
    let skus = look.items.iter().map(|card| card.sku_id.clone()).collect();
    (look.id.clone(), skus)
}

#[component]
fn LookCards(
    look: LookView,
    live: RwSignal<Option<ShowState>>,
    now: Signal<DateTime<Utc>>,
    one_tap: Resource<Result<OneTapStatus, AppError>>,
    embed: bool,
) -> impl IntoView {
    let look_id = look.id.clone();
    let current = {
        let look_id = look_id.clone();
        move || {
            live.with(|s| {
                s.as_ref()
                    .and_then(|s| s.looks.iter().find(|l| l.id == look_id).cloned())
            })
        }
    };
    let window = {
        let current = current.clone();
        move || {
            let look = current()?;
            let now = now.get();
            Some(if look.open_for_viewer(now) {
                match look.window_closes_at {
                    Some(at) => format!("Buy window closes in {}", mm_ss(at - now)),
                    None => "Buy window open".to_owned(),
                }
            } else {
                "Buy window closed".to_owned()
            })
        }
    };
    view! {
        <article class="look" data-testid="look">
            <header class="look__head">
                <h2 class="look__title">{look.title.clone()}</h2>
                <p class="look__window" role="timer" aria-live="off">{window}</p>
            </header>
            {(!look.note.is_empty()).then(|| view! { <p class="look__note">{look.note.clone()}</p> })}
            {(!embed && (look.coupon.is_some() || look.envelope_moment)).then(|| {
                let show_id = live.with_untracked(|s| s.as_ref().map(|s| s.id.clone())).unwrap_or_default();
                view! {
                    <crate::promotions::Moments place=crate::promotions::MomentPlace::Drop { show_id, drop_id: look_id.clone() }
                        coupon=look.coupon.clone() envelope=look.envelope_moment/>
                }
            })}
            <ul class="drop-cards">
                {look.items.iter().cloned().map(|card| view! {
                    <DropCard card look_id=look_id.clone() live now one_tap embed/>
                }).collect_view()}
            </ul>
        </article>
    }
}

#[component]
fn DropCard(
    card: ProductCard,
    look_id: String,
    live: RwSignal<Option<ShowState>>,
    now: Signal<DateTime<Utc>>,
    one_tap: Resource<Result<OneTapStatus, AppError>>,
    embed: bool,
) -> impl IntoView {
    let sku = card.sku_id.clone();
    let units_left = {
        let sku = sku.clone();
        move || {
            live.with(|s| {
                s.as_ref()
                    .and_then(|s| s.card(&sku).map(|(_, c)| c.units_left))
                    .unwrap_or(0)
            })
        }
    };
    // A memo: the buy button is rebuilt only when the show's status changes, never under a
    // finger mid-tap because a viewer count or a chat line arrived.
    let status = Memo::new(move |_| live.with(|s| s.as_ref().map(|s| s.status)));
    let (window_open, pinned) = {
        let (sku, look_id) = (sku.clone(), look_id.clone());
        let sku2 = sku.clone();
        (
            move || {
                live.with(|s| {
                    s.as_ref()
                        .and_then(|s| s.looks.iter().find(|l| l.id == look_id))
                        .is_some_and(|l| l.open_for_viewer(now.get()))
                })
            },
            move || {
                live.with(|s| {
                    s.as_ref().and_then(|s| s.pinned_sku_id.clone()) == Some(sku2.clone())
                })
            },
        )
    };
    let show_id = live.with_untracked(|s| s.as_ref().map(|s| s.id.clone()).unwrap_or_default());
    // The card's buy button is a form over `tap_to_buy`, so a tap works from the moment the
    // card is on screen: before the wasm runs the browser posts it (and the server answers
    // with the order, or back here with the refusal, `?tapped=` naming this card); once it
    // runs the action posts it without leaving the page.
    let buy = ServerAction::<TapToBuy>::new();
    // One key per tap attempt: a retry of the same tap (a double tap, a resent form) reuses
    // it, so it cannot buy twice; a definite answer makes the next tap a new attempt.
    let tap_key = RwSignal::new(new_tap_key(&sku));
    let outcome = buy.value();
    Effect::new({
        let sku = sku.clone();
        move |_| {
            if let Some(Ok(_)) = outcome.get() {
                tap_key.set(new_tap_key(&sku));
            }
        }
    });
    // A refusal sent back to a plain form's page belongs to the card that was tapped; every
    // other card shows only the answers to its own taps.
    let tapped_here =
        use_query_map().with_untracked(|q| q.get("tapped").as_deref() == Some(sku.as_str()));
    let shown = move || {
        (tapped_here || buy.version().get() > 0)
            .then(|| outcome.get())
            .flatten()
            .map(|result| result.or_else(BuyOutcome::from_refusal))
    };
    let price = format_amount(card.price_minor, &card.currency);
    let signin = format!("/signin?next=/show/{show_id}");
    let checkout = format!("/checkout?sku={}", card.sku_id);
    let exclusive = card.exclusive;
    view! {
        <li class="drop-card" class:drop-card--pinned=pinned data-testid="drop-card" data-sku=card.sku_id.clone()>
            {card.image_url.clone().map(|src| view! { <img class="drop-card__image" src=src alt=""/> })}
            <div class="drop-card__body">
                <h3 class="drop-card__title">{card.title.clone()}</h3>
                {(!card.variant.is_empty()).then(|| view! { <p class="drop-card__variant">{card.variant.clone()}</p> })}
                <p class="drop-card__price">{price.clone()}</p>
                <p class="drop-card__stock" data-testid="units-left">
                    {
                        let units_left = units_left.clone();
                        move || match units_left() { 0 => "Sold out".to_owned(), n => format!("{n} left") }
                    }
                </p>
                {exclusive.then(|| view! { <p class="badge badge--accent">"Show exclusive"</p> })}
                {card.purchase_limit.map(|l| view! { <p class="drop-card__limit">{format!("Limit {l} per person")}</p> })}
            </div>
            <div class="drop-card__action">
                {move || {
                    let (signin, checkout, price) = (signin.clone(), checkout.clone(), price.clone());
                    let (show_id, sku) = (show_id.clone(), sku.clone());
                    let (window_open, units_left) = (window_open.clone(), units_left.clone());
                    if embed {
                        let href = format!("/show/{}", live.with_untracked(|s| s.as_ref().map(|s| s.id.clone()).unwrap_or_default()));
                        return view! { <a class="button button--primary" href=href target="_blank" rel="noopener">"Buy on Gala"</a> }.into_any();
                    }
                    match status.get() {
                        Some(ShowStatus::Ended) if exclusive => view! { <p class="drop-card__note">"Sold only during the show"</p> }.into_any(),
                        Some(ShowStatus::Ended) => view! { <A href=checkout attr:class="button button--secondary">"Buy now"</A> }.into_any(),
                        _ => match one_tap.get().and_then(Result::ok) {
                            Some(OneTapStatus { signed_in: false, .. }) => view! {
                                <A href=signin attr:class="button button--primary">"Sign in to buy"</A>
                            }.into_any(),
                            _ => view! {
                                <ActionForm action=buy attr:class="drop-card__buy-form">
                                    <input type="hidden" name="id" value=show_id.clone()/>
                                    <input type="hidden" name="sku" value=sku.clone()/>
                                    <input type="hidden" name="key" value=move || tap_key.get()/>
                                    <button class="button button--primary drop-card__buy" type="submit" data-testid="one-tap-buy"
                                        disabled=move || buy.pending().get() || !window_open() || units_left() == 0>
                                        {move || if buy.pending().get() { "Buying…".to_owned() } else { format!("Buy · {price}") }}
                                    </button>
                                </ActionForm>
                            }.into_any(),
                        },
                    }
                }}
                <div class="drop-card__result" role="status" data-testid="buy-result">
                    {move || shown().map(|result| match result {
                        Ok(BuyOutcome::Bought { order_id, number, total_minor, currency, discounts }) => {
                            let money = move |minor: i64| format_amount(minor, &currency);
                            view! {
                                <span class="drop-card__bought">"Bought! " <A href=format!("/orders/{order_id}")>{format!("Order {number}")}</A>
                                    {format!(" · {}", money(total_minor))}</span>
                                {(!discounts.is_empty()).then(|| view! {
                                    <dl class="drop-card__discounts">
                                        <crate::checkout::cart::DiscountRows discounts money=money.clone()/>
                                    </dl>
                                })}
                            }.into_any()
                        }
                        Ok(BuyOutcome::SoldOut) => view! { <span>"Sold out — someone was quicker."</span> }.into_any(),
                        Ok(BuyOutcome::LimitReached { limit }) => view! { <span>{format!("Limit reached: {limit} per person.")}</span> }.into_any(),
                        Ok(BuyOutcome::WindowClosed) => view! { <span>"The buy window has closed."</span> }.into_any(),
                        Ok(BuyOutcome::Declined { message }) => view! { <span>{message}</span> }.into_any(),
                        Ok(BuyOutcome::Busy { retry_after_secs }) => view! { <span>{format!("So many buyers! Tap again in {retry_after_secs} s.")}</span> }.into_any(),
                        Err(AppError::Validation { fields }) if fields.contains_key("one_tap") => view! { <span>"Set up one-tap buying below first."</span> }.into_any(),
                        Err(error) => view! { <span>{error.to_string()}</span> }.into_any(),
                    })}
                </div>
            </div>
        </li>
    }
}

#[component]
fn OneTapPanel(status: Resource<Result<OneTapStatus, AppError>>, show_id: String) -> impl IntoView {
    let next = format!("/signin?next=/show/{show_id}");
    // No boundary of its own: the page's Transition already waits for `status` (see `ShowLoader`).
    view! {
            {move || status.get().map(|result| match result {
                Ok(OneTapStatus { signed_in: false, .. }) => view! {
                    <div class="one-tap one-tap--guest">
                        <p>"Sign in to buy in one tap while the show runs. You'll come straight back here."</p>
                        <A href=next.clone() attr:class="button button--secondary">"Sign in"</A>
                    </div>
                }.into_any(),
                Ok(OneTapStatus { ready: true, card, address, .. }) => view! {
                    <p class="one-tap one-tap--ready" data-testid="one-tap-ready">
                        "One tap pays with " {card.unwrap_or_default()} " and ships to " {address.unwrap_or_default()} "."
                    </p>
                }.into_any(),
                Ok(_) => view! { <OneTapSetup status/> }.into_any(),
                Err(error) => view! { <InlineError error/> }.into_any(),
            })}
    }
}

#[component]
fn OneTapSetup(status: Resource<Result<OneTapStatus, AppError>>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let line1 = RwSignal::new(String::new());
    let city = RwSignal::new(String::new());
    let postal_code = RwSignal::new(String::new());
    let country = RwSignal::new("CN".to_owned());
    let card_number = RwSignal::new(String::new());
    let expiry = RwSignal::new(String::new());
    let cvc = RwSignal::new(String::new());
    let save = Action::new(move |(address, card): &(AddressInput, CardInput)| {
        let (address, card) = (address.clone(), card.clone());
        async move { set_up_one_tap(address, card).await }
    });
    let result: Signal<Option<Result<OneTapStatus, AppError>>> = save.value().into();
    Effect::new(move |_| {
        if let Some(Ok(_)) = result.get() {
            status.refetch();
        }
    });
    let errors = move |field: &'static str| {
        Signal::derive(move || match result.get() {
            Some(Err(err)) => err.field_messages(field).to_vec(),
            _ => Vec::new(),
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (exp_month, exp_year) = crate::checkout::parse_expiry(&expiry.get());
        save.dispatch((
            AddressInput {
                name: name.get(),
                line1: line1.get(),
                line2: None,
                city: city.get(),
                region: None,
                postal_code: postal_code.get(),
                country: country.get(),
                phone: None,
            },
            CardInput {
                number: card_number.get(),
                exp_month,
                exp_year,
                cvc: cvc.get(),
            },
        ));
    };
    view! {
        <form class="one-tap one-tap--setup panel form" on:submit=submit aria-labelledby="one-tap-title">
            <h2 id="one-tap-title" class="one-tap__title">"Set up one-tap buying"</h2>
            <p class="field__hint">"Save where to deliver and a card once; then every drop is one tap. Sandbox test mode: use 4242 4242 4242 4242."</p>
            <BoundField id="one-tap-name" label="Full name" value=name errors=errors("shipping_address.name") required=true/>
            <BoundField id="one-tap-line1" label="Address" value=line1 errors=errors("shipping_address.line1") required=true/>
            <div class="field-grid">
                <BoundField id="one-tap-city" label="City" value=city errors=errors("shipping_address.city") required=true/>
                <BoundField id="one-tap-postal" label="Postal code" value=postal_code errors=errors("shipping_address.postal_code") required=true/>
            </div>
            <BoundField id="one-tap-country" label="Country code" hint="Two letters: CN, US, FR…" value=country errors=errors("shipping_address.country") required=true/>
            <BoundField id="one-tap-card" label="Card number" inputmode="numeric" value=card_number errors=errors("payment.card.number") required=true/>
            <div class="field-grid">
                <BoundField id="one-tap-expiry" label="Expiry (MM/YY)" inputmode="numeric" value=expiry errors=Signal::derive(move || { let mut e = errors("payment.card.exp_month").get(); e.extend(errors("payment.card.exp_year").get()); e }) required=true/>
                <BoundField id="one-tap-cvc" label="CVC" inputmode="numeric" value=cvc errors=errors("payment.card.cvc") required=true/>
            </div>
            {move || match result.get() {
                Some(Err(error)) if !matches!(error, AppError::Validation { .. }) => Some(view! { <InlineError error/> }),
                _ => None,
            }}
            <button class="button button--primary" type="submit" disabled=move || save.pending().get()>"Save for one-tap buying"</button>
        </form>
    }
}

#[component]
fn Chat(live: RwSignal<Option<ShowState>>, show_id: String) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let show_id = StoredValue::new(show_id);
    let send = Action::new(move |text: &String| {
        let text = text.clone();
        async move { send_chat(show_id.get_value(), text).await }
    });
    let result = send.value();
    Effect::new(move |_| {
        if let Some(Ok(_)) = result.get() {
            text.set(String::new());
        }
    });
    let errors = Signal::derive(move || match result.get() {
        Some(Err(AppError::Validation { fields })) => {
            fields.get("text").cloned().unwrap_or_default()
        }
        Some(Err(error)) => vec![error.to_string()],
        _ => Vec::new(),
    });
    let live_now = move || live.with(|s| s.as_ref().is_some_and(|s| s.status == ShowStatus::Live));
    view! {
        <section class="chat" aria-label="Chat">
            <h2 class="chat__title">"Chat"
                {move || live.with(|s| s.as_ref().filter(|s| s.slow_mode_secs > 0).map(|s| format!(" · slow mode {} s", s.slow_mode_secs)))}
            </h2>
            <ol class="chat__messages" aria-live="polite" data-testid="chat-messages">
                // Keyed: a new message adds one row instead of redrawing the list on every update.
                <For each=move || live.with(|s| s.as_ref().map(|s| s.chat.clone()).unwrap_or_default())
                    key=|m| m.id let:m>
                    <li class="chat__message"><b class="chat__author">{m.author}</b> " " <span>{m.text}</span></li>
                </For>
            </ol>
            <form class="chat__form" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); send.dispatch(text.get()); }>
                <label class="visually-hidden" for="chat-text">"Message"</label>
                <input class="field__input" id="chat-text" maxlength=MAX_CHAT_CHARS.to_string() autocomplete="off"
                    placeholder=move || if live_now() { "Say something nice…" } else { "The chat opens when the show goes live" }
                    disabled=move || !live_now()
                    prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))/>
                <button class="button button--secondary" type="submit" disabled=move || !live_now() || send.pending().get()>"Send"</button>
            </form>
            <ErrorList errors/>
        </section>
    }
}

/// A fresh idempotency key for one tap on `sku`'s card (scoped by the server to the buyer).
fn new_tap_key(sku: &str) -> String {
    format!("{sku}-{}", Utc::now().timestamp_micros())
}
