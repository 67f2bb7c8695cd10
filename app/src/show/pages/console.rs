//! `/brand/<slug>/shows/<id>/live` (and `/admin/galas/<id>/live` for a gala): the producer
//! console. Every action is one click and
//! reaches viewers at once; the figures refresh every second.

use chrono::Utc;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::viewer::use_show_stream;
use super::{status_badge, Host};
use crate::core::money::format_amount;
use crate::core::time::{self, Style};
use crate::core::ui::{InlineError, NotFoundPage, SignInPrompt, Skeleton};
use crate::core::AppError;
use crate::promotions::PromotionView;
use crate::show::{
    drop_coupon_choices, get_show, load_show, moderate_chat, produce_show, producer_figures,
    set_drop_moments, DropMomentsInput, LookView, Moderation, ProducerAction, ShowDetail,
    ShowFigures, ShowState, ShowStatus,
};

/// `/brand/:slug/shows/:id/live` and `/admin/galas/:id/live`
#[component]
pub fn ProducerConsolePage() -> impl IntoView {
    let host = Host::from_params();
    let params = use_params_map();
    let key = move || (host.get(), params.get().get("id").unwrap_or_default());
    let show = Resource::new(key, |(host, id)| get_show(host.slug(), id));
    // The chat's state is created here, not by the chat panel the Suspense below renders
    // (README, "Architecture").
    let chat = Resource::new(move || key().1, load_show);
    // The coupons the host's drops can hand out, for each look's moments form.
    let coupons = Resource::new(move || host.get().slug(), drop_coupon_choices);
    view! {
        <Title text="Producer console"/>
        <section class="container page console">
            <Suspense fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                {move || show.get().map(|result| match result {
                    Ok(detail) => view! { <Console host=key().0 detail chat coupons/> }.into_any(),
                    Err(AppError::Unauthorized) => view! { <SignInPrompt message="Sign in to produce the show." next=format!("{}/{}/live", host.get().shows_path(), key().1)/> }.into_any(),
                    Err(AppError::NotFound | AppError::Forbidden) => view! { <NotFoundPage/> }.into_any(),
                    Err(error) => view! { <InlineError error/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// One producer click: the action and what it is about.
#[derive(Clone)]
struct Click {
    action: ProducerAction,
    look_id: Option<String>,
    sku_id: Option<String>,
    secs: Option<i32>,
}

impl Click {
    fn show(action: ProducerAction) -> Click {
        Click {
            action,
            look_id: None,
            sku_id: None,
            secs: None,
        }
    }
}

#[component]
fn Console(
    host: Host,
    detail: ShowDetail,
    chat: Resource<Result<ShowState, AppError>>,
    coupons: Resource<Result<Vec<PromotionView>, AppError>>,
) -> impl IntoView {
    let id = detail.summary.id.clone();
    let detail = RwSignal::new(detail);
    let run_sheet = format!("{}/{id}", host.shows_path());
    let target = StoredValue::new((host.slug(), id.clone()));
    let act = Action::new(move |click: &Click| {
        let (slug, id) = target.get_value();
        let click = click.clone();
        async move {
            produce_show(
                slug,
                id,
                click.action,
                click.look_id,
                click.sku_id,
                click.secs,
            )
            .await
        }
    });
    let result = act.value();
    Effect::new(move |_| {
        if let Some(Ok(updated)) = result.get() {
            detail.set(updated);
        }
    });
    let status = move || detail.with(|d| d.summary.status);
    let figures = RwSignal::new(ShowFigures::default());
    let orders_per_sec = RwSignal::new(0.0f64);
    Effect::new(move |_| {
        let last = StoredValue::new(None::<(chrono::DateTime<Utc>, i64)>);
        let handle = set_interval_with_handle(
            move || {
                let (slug, id) = target.get_value();
                leptos::task::spawn_local(async move {
                    if let Ok(latest) = producer_figures(slug, id).await {
                        let now = Utc::now();
                        if let Some((at, orders)) = last.get_value() {
                            let secs = (now - at).num_milliseconds() as f64 / 1000.0;
                            if secs > 0.0 {
                                orders_per_sec.set((latest.stats.orders - orders) as f64 / secs);
                            }
                        }
                        last.set_value(Some((now, latest.stats.orders)));
                        figures.set(latest);
                    }
                });
            },
            std::time::Duration::from_secs(1),
        );
        on_cleanup(move || {
            if let Ok(handle) = handle {
                handle.clear();
            }
        });
    });
    let click = move |c: Click| {
        act.dispatch(c);
    };
    let slow_mode = RwSignal::new(detail.with_untracked(|d| d.slow_mode_secs.to_string()));
    view! {
        <div class="page__head console__head">
            <div>
                <p class="console__eyebrow">"Producer console"</p>
                <h1>{move || detail.with(|d| d.summary.title.clone())}</h1>
            </div>
            {move || status_badge(status())}
        </div>
        <nav class="console__links">
            <A href=run_sheet>"Run-sheet"</A>
            <a href=format!("/show/{id}") target="_blank" rel="noopener">"Open the viewer page ↗"</a>
        </nav>
        <div class="console__controls">
            {move || match status() {
                ShowStatus::Approved => view! {
                    <button class="button button--primary button--large" type="button" data-testid="go-live"
                        disabled=move || act.pending().get()
                        on:click=move |_| click(Click::show(ProducerAction::GoLive))>"Go live"</button>
                }.into_any(),
                ShowStatus::Live => view! {
                    <button class="button button--danger" type="button" data-testid="end-show"
                        disabled=move || act.pending().get()
                        on:click=move |_| click(Click::show(ProducerAction::End))>"End show"</button>
                }.into_any(),
                ShowStatus::Ended => view! { <p>"The show has ended. Its page is now a shoppable replay."</p> }.into_any(),
                _ => view! { <p>"The show needs the platform's approval before it can go live."</p> }.into_any(),
            }}
            {move || match result.get() {
                Some(Err(error)) => Some(view! { <InlineError error/> }),
                _ => None,
            }}
        </div>
        <dl class="figures" aria-live="off">
            <div class="figure"><dt>"Watching"</dt><dd data-testid="figure-viewers">{move || figures.with(|f| f.stats.viewers)}</dd></div>
            <div class="figure"><dt>"Orders"</dt><dd data-testid="figure-orders">{move || figures.with(|f| f.stats.orders)}</dd></div>
            <div class="figure"><dt>"Orders/s"</dt><dd>{move || format!("{:.1}", orders_per_sec.get().max(0.0))}</dd></div>
            <div class="figure"><dt>"Units sold"</dt><dd>{move || figures.with(|f| f.stats.units_sold)}</dd></div>
            <div class="figure"><dt>"GMV"</dt><dd data-testid="figure-gmv">{move || figures.with(|f| if f.currency.is_empty() { "—".to_owned() } else { format_amount(f.gmv_minor, &f.currency) })}</dd></div>
        </dl>
        <section class="console__runsheet" aria-label="Run-sheet">
            <h2>"Looks"</h2>
            <ol class="runsheet">
                {move || detail.with(|d| d.looks.clone()).into_iter().map(|look| view! {
                    <ConsoleLook look detail figures act coupons target/>
                }).collect_view()}
            </ol>
        </section>
        <section class="console__chat" aria-label="Chat moderation">
            <h2>"Chat"</h2>
            <form class="console__slow" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                click(Click { secs: slow_mode.get().trim().parse().ok(), ..Click::show(ProducerAction::SlowMode) });
            }>
                <label class="field__label" for="slow-mode">"Slow mode (seconds between messages)"</label>
                <input class="field__input" id="slow-mode" type="number" min="0" max="300" inputmode="numeric"
                    prop:value=move || slow_mode.get() on:input=move |ev| slow_mode.set(event_target_value(&ev))/>
                <button class="button button--secondary" type="submit" disabled=move || !matches!(status(), ShowStatus::Live | ShowStatus::Approved)>"Set"</button>
            </form>
            {move || status().public().then(|| view! { <ModeratedChat slug=target.get_value().0 id=target.get_value().1 state=chat/> })}
        </section>
    }
}

#[component]
fn ConsoleLook(
    look: LookView,
    detail: RwSignal<ShowDetail>,
    figures: RwSignal<ShowFigures>,
    act: Action<Click, Result<ShowDetail, AppError>>,
    coupons: Resource<Result<Vec<PromotionView>, AppError>>,
    target: StoredValue<(Option<String>, String)>,
) -> impl IntoView {
    let live = move || detail.with(|d| d.summary.status == ShowStatus::Live);
    // A flash window closes on the server at its deadline, with no click here: the figures'
    // once-a-second refresh re-reads the clock so the look shows it closed.
    let open = Memo::new({
        let look = look.clone();
        move |_| {
            figures.track();
            look.window_open(Utc::now())
        }
    });
    let look_id = look.id.clone();
    let flash = RwSignal::new(look.flash_secs.map(|s| s.to_string()).unwrap_or_default());
    let (revealed_at, closes_at) = (look.revealed_at, look.window_closes_at);
    let state = move || match (revealed_at, open.get(), closes_at) {
        (None, _, _) => "Not dropped yet".to_owned(),
        (Some(_), true, Some(at)) => {
            format!("Window open until {}", time::display(at, Style::Clock))
        }
        (Some(_), true, None) => "Window open".to_owned(),
        (Some(_), false, _) => "Window closed".to_owned(),
    };
    let revealed = look.revealed_at.is_some();
    let dispatch = move |action: ProducerAction, secs: Option<i32>| {
        act.dispatch(Click {
            action,
            look_id: Some(look_id.clone()),
            sku_id: None,
            secs,
        });
    };
    let (drop_look, close_look, open_look) = (dispatch.clone(), dispatch.clone(), dispatch);
    let flash_id = format!("flash-{}", look.id);
    view! {
        <li class="runsheet__look" class:runsheet__look--open=move || open.get() data-testid="console-look">
            <div class="runsheet__head">
                <span class="runsheet__position">{look.position}</span>
                <div>
                    <h3 class="runsheet__title">{look.title.clone()}</h3>
                    <p class="runsheet__state">{state}</p>
                </div>
            </div>
            <ul class="runsheet__items">
                {look.items.iter().map(|item| {
                    let sku = item.sku_id.clone();
                    let sku_for_left = sku.clone();
                    let pinned = detail.with_untracked(|d| d.pinned_sku_id.as_deref() == Some(sku.as_str()));
                    let initial = item.units_left;
                    let left = move || figures.with(|f| f.stats.units_left.iter().find(|(s, _)| *s == sku_for_left).map(|(_, n)| *n)).unwrap_or(initial);
                    view! {
                        <li class="runsheet__item">
                            <span>{item.title.clone()} {(!item.variant.is_empty()).then(|| format!(" · {}", item.variant))}</span>
                            <span class="runsheet__meta">{item.sku_code.clone()} " · " {move || left()} " left"
                                {item.exclusive.then_some(" · exclusive")}</span>
                            {revealed.then(|| view! {
                                <button class="link-button" type="button" disabled=move || !live()
                                    on:click=move |_| { act.dispatch(Click { action: ProducerAction::Pin, look_id: None, sku_id: (!pinned).then(|| sku.clone()), secs: None }); }>
                                    {if pinned { "Unpin" } else { "Pin" }}
                                </button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {moments_carried(&look)}
            {(!revealed).then(|| view! {
                <DropMomentsForm look_id=look.id.clone() coupon=look.coupon.as_ref().map(|c| c.promotion_id.clone())
                    envelope=look.envelope_moment coupons detail target/>
            })}
            <div class="runsheet__actions">
                {(!revealed).then(|| view! {
                    <button class="button button--primary" type="button" data-testid="drop-look"
                        disabled=move || !live() || act.pending().get()
                        on:click=move |_| drop_look(ProducerAction::Reveal, None)>"Drop this look"</button>
                })}
                {move || (revealed && open.get()).then(|| {
                    let close_look = close_look.clone();
                    view! {
                        <button class="button button--secondary" type="button"
                            disabled=move || !live() || act.pending().get()
                            on:click=move |_| close_look(ProducerAction::Close, None)>"Close window"</button>
                    }
                })}
                {move || (revealed && !open.get()).then(|| {
                    let open_look = open_look.clone();
                    view! {
                        <label class="visually-hidden" for=flash_id.clone()>"Flash seconds"</label>
                        <input class="field__input runsheet__flash" id=flash_id.clone() type="number" min="10" max="300"
                            placeholder="Open-ended" inputmode="numeric"
                            prop:value=move || flash.get() on:input=move |ev| flash.set(event_target_value(&ev))/>
                        <button class="button button--secondary" type="button"
                            disabled=move || !live() || act.pending().get()
                            on:click=move |_| open_look(ProducerAction::Open, flash.get().trim().parse().ok())>"Reopen window"</button>
                    }
                })}
            </div>
        </li>
    }
}

/// The moments a look drops (or dropped) with, in words.
fn moments_carried(look: &LookView) -> impl IntoView {
    let coupon = look
        .coupon
        .as_ref()
        .map(|c| format!("Coupon: {} ({})", c.name, c.summary));
    let envelope = look.envelope_moment.then_some("Red-envelope moment");
    let carried: Vec<String> = coupon
        .into_iter()
        .chain(envelope.map(str::to_owned))
        .collect();
    let lead = if look.revealed_at.is_some() {
        "Went out with: "
    } else {
        "Drops with: "
    };
    (!carried.is_empty()).then(|| {
        view! { <p class="runsheet__meta" data-testid="drop-moments-carried">{lead}{carried.join(" · ")}</p> }
    })
}

/// Before a look drops: the coupon its viewers can claim and whether it hides a red envelope.
#[component]
fn DropMomentsForm(
    look_id: String,
    coupon: Option<String>,
    envelope: bool,
    coupons: Resource<Result<Vec<PromotionView>, AppError>>,
    detail: RwSignal<ShowDetail>,
    target: StoredValue<(Option<String>, String)>,
) -> impl IntoView {
    let chosen = RwSignal::new(coupon.unwrap_or_default());
    let envelope = RwSignal::new(envelope);
    let save = Action::new(move |look_id: &String| {
        let (slug, id) = target.get_value();
        let moments = DropMomentsInput {
            coupon_promotion_id: Some(chosen.get_untracked()).filter(|c| !c.is_empty()),
            envelope_moment: envelope.get_untracked(),
        };
        let look_id = look_id.clone();
        async move { set_drop_moments(slug, id, look_id, moments).await }
    });
    let result = save.value();
    Effect::new(move |_| {
        if let Some(Ok(updated)) = result.get() {
            detail.set(updated);
        }
    });
    let (coupon_id, envelope_id) = (format!("coupon-{look_id}"), format!("envelope-{look_id}"));
    let (coupon_label, envelope_label) = (coupon_id.clone(), envelope_id.clone());
    view! {
        <form class="runsheet__moments" data-testid="drop-moments" on:submit=move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            save.dispatch(look_id.clone());
        }>
            <div class="field">
                <label class="field__label" for=coupon_label>"Coupon moment"</label>
                <select class="field__input" id=coupon_id name="coupon_promotion_id"
                    on:change=move |ev| chosen.set(event_target_value(&ev))>
                    <option value="" selected=move || chosen.get().is_empty()>"No coupon"</option>
                    <Transition fallback=|| ()>
                        {move || coupons.get().and_then(Result::ok).map(|choices| choices.into_iter().map(|c| {
                            let id = c.promotion_id.clone();
                            view! {
                                <option value=c.promotion_id.clone() selected=move || chosen.get() == id>
                                    {format!("{} · {}", c.name, c.summary)}
                                </option>
                            }
                        }).collect_view())}
                    </Transition>
                </select>
            </div>
            <label class="choice" for=envelope_label>
                <input type="checkbox" id=envelope_id prop:checked=move || envelope.get()
                    on:change=move |ev| envelope.set(event_target_checked(&ev))/>
                " Red-envelope moment: viewers find the cat for an envelope"
            </label>
            <button class="button button--secondary" type="submit" disabled=move || save.pending().get()>"Save moments"</button>
            // A save re-renders the run-sheet from the answer ("Drops with: …" above); only a
            // refusal stays here.
            {move || match result.get() {
                Some(Err(error)) => Some(view! { <InlineError error/> }),
                _ => None,
            }}
        </form>
    }
}

#[component]
fn ModeratedChat(
    slug: Option<String>,
    id: String,
    state: Resource<Result<ShowState, AppError>>,
) -> impl IntoView {
    let target = StoredValue::new((slug, id));
    let moderate = Action::new(move |(message, action): &(i64, Moderation)| {
        let (slug, id) = target.get_value();
        let (message, action) = (*message, *action);
        async move { moderate_chat(slug, id, message, action).await }
    });
    view! {
        <Suspense fallback=|| ()>
            {move || state.get().map(|result| match result {
                Ok(initial) => {
                    let live = use_show_stream(initial.id.clone(), initial);
                    view! {
                        <ol class="chat__messages chat__messages--console">
                            {move || live.with(|s| s.as_ref().map(|s| s.chat.iter().map(|m| {
                                let id = m.id;
                                view! {
                                    <li class="chat__message">
                                        <b class="chat__author">{m.author.clone()}</b> " " <span>{m.text.clone()}</span>
                                        <span class="chat__tools">
                                            <button class="link-button" type="button" on:click=move |_| { moderate.dispatch((id, Moderation::Remove)); }>"Remove"</button>
                                            <button class="link-button" type="button" on:click=move |_| { moderate.dispatch((id, Moderation::Mute)); }>"Mute 5 min"</button>
                                            <button class="link-button link-button--danger" type="button" on:click=move |_| { moderate.dispatch((id, Moderation::Ban)); }>"Ban"</button>
                                        </span>
                                    </li>
                                }
                            }).collect_view()))}
                        </ol>
                    }.into_any()
                }
                Err(error) => view! { <InlineError error/> }.into_any(),
            })}
        </Suspense>
    }
}
