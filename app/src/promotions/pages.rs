//! Promotions pages: `/brand/<slug>/promotions` (a brand's promotions and a new one),
//! `/admin/promotions` (the review queue and the platform's own promotions), `/coupons` (a
//! buyer's wallet), and the coupons a store offers, with a claim button, on its listing and
//! brand pages.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::{
    create_claim_link, create_promotion, decide_promotion, my_coupons, my_envelopes,
    open_claim_link, owner_claim_links, owner_promotions, promotion_review_queue,
    promotion_settlement, submit_promotion, ClaimCoupon, ClaimLinkInput, ClaimLinkView,
    CouponMoment, CouponStatus, CouponView, EnvelopeStatus, EnvelopeView, OrderChannel,
    PlayEnvelopes, PlayOutcome, PromotionDecision, PromotionInput, PromotionKind, PromotionStatus,
    PromotionView, SettlementRow,
};
use crate::brands::ReviewDecision;
use crate::core::money::{format_amount, parse_amount};
use crate::core::time::{self, Style};
use crate::core::ui::{
    field_errors, AdminNav, BoundField, ErrorList, InlineError, NotFoundPage, SignInPrompt,
    Skeleton,
};
use crate::core::AppError;

/// A promotion's status as a badge.
fn status_badge(view: &PromotionView) -> impl IntoView {
    let (class, label) = match view.status {
        PromotionStatus::Approved if view.live => ("badge badge--live", "Live"),
        PromotionStatus::Approved => ("badge badge--success", "Approved"),
        PromotionStatus::Submitted => ("badge badge--warning", view.status.label()),
        PromotionStatus::ChangesRequested | PromotionStatus::Rejected => {
            ("badge badge--danger", view.status.label())
        }
        PromotionStatus::Draft | PromotionStatus::Superseded => ("badge", view.status.label()),
    };
    view! { <span class=class>{label}</span> }
}

/// `/brand/<slug>/promotions` and `/admin/promotions`.
#[component]
pub fn PromotionsPage() -> impl IntoView {
    let params = use_params_map();
    let slug = Memo::new(move |_| params.get().get("slug"));
    let list = Resource::new(move || slug.get(), owner_promotions);
    let submit = Action::new(move |id: &String| {
        let (slug, id) = (slug.get_untracked(), id.clone());
        async move { submit_promotion(slug, id).await }
    });
    let submitted: Signal<Option<Result<PromotionView, AppError>>> = submit.value().into();
    Effect::new(move |_| {
        if let Some(Ok(_)) = submitted.get() {
            list.refetch();
        }
    });
    view! {
        <Title text="Promotions"/>
        <section class="container page">
            <div class="page__head"><h1>"Promotions"</h1></div>
            {move || match slug.get() {
                Some(slug) => view! { <crate::brands::DashboardNav slug current="promotions"/> }.into_any(),
                None => view! { <AdminNav current="promotions"/> }.into_any(),
            }}
            <p class="page__lead">{move || if slug.get().is_some() {
                "Festival prices, spend thresholds and coupons for your store. Platform admins approve each one before it goes live; an approved promotion changes only through a new version."
            } else {
                "Promotions brands submit, and the platform's own: allowances across brands and platform coupons."
            }}</p>
            {move || slug.get().is_none().then(|| view! { <ReviewQueue on_decided=move || list.refetch()/> })}
            {move || match submitted.get() {
                Some(Err(error)) => Some(view! { <InlineError error/> }),
                _ => None,
            }}
            <h2>{move || if slug.get().is_some() { "Your promotions" } else { "The platform's promotions" }}</h2>
            <Transition fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                {move || list.get().map(|result| match result {
                    Ok(items) if items.is_empty() => view! {
                        <div class="notice">
                            <h2 class="notice__title">"No promotions yet"</h2>
                            <p>"Create one below: it starts as a draft you submit for review."</p>
                        </div>
                    }.into_any(),
                    Ok(items) => view! {
                        <ul class="listing-rows" data-testid="promotions">
                            {items.into_iter().map(|item| {
                                let id = item.id.clone();
                                let can_submit = item.status.editable();
                                let spent = format_amount(item.spent_minor, &item.terms.currency);
                                view! {
                                    <li class="listing-row panel" data-testid="promotion">
                                        <div class="listing-row__main">
                                            <p class="listing-row__title">{item.name.clone()} " " {status_badge(&item)}</p>
                                            <p class="field__hint">{format!("{} · {} · version {}", item.kind.label(), item.summary, item.version)}</p>
                                            <p class="field__hint">{format!("{} – {} (UTC)", time::display(
                                                time::parse_input(&item.terms.starts_at).unwrap_or_default(), Style::DayYearTime),
                                                time::display(time::parse_input(&item.terms.ends_at).unwrap_or_default(), Style::DayYearTime))}</p>
                                            <p class="field__hint">{format!("Used in {} orders · {} given · {} coupons claimed", item.uses, spent, item.claimed)}</p>
                                            {item.review_note.clone().map(|note| view! { <p class="form-alert">{format!("Review: {note}")}</p> })}
                                        </div>
                                        {can_submit.then(|| view! {
                                            <button class="button button--primary" type="button"
                                                disabled=move || submit.pending().get()
                                                on:click=move |_| { submit.dispatch(id.clone()); }>"Submit for review"</button>
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(AppError::Unauthorized) => view! { <SignInPrompt message="Sign in to manage promotions." next="/brands"/> }.into_any(),
                    Err(AppError::NotFound | AppError::Forbidden) => view! { <NotFoundPage/> }.into_any(),
                    Err(error) => view! { <InlineError error/> }.into_any(),
                })}
            </Transition>
            <PromotionForm slug on_created=move || list.refetch()/>
            <ClaimLinks slug promotions=list/>
            <Settlement slug/>
        </section>
    }
}

/// What discounts took off the brand's orders (every brand's, for admins), by promotion and
/// funder, with a CSV download.
#[component]
fn Settlement(slug: Memo<Option<String>>) -> impl IntoView {
    let rows = Resource::new(move || slug.get(), promotion_settlement);
    let csv = move || match slug.get() {
        Some(slug) => format!("/api/v1/brands/{slug}/settlement.csv"),
        None => "/api/v1/admin/settlement.csv".to_owned(),
    };
    view! {
        <section class="panel settlement" aria-labelledby="settlement-title">
            <div class="page__head">
                <h2 id="settlement-title">"Settlement"</h2>
                <a class="button button--secondary" href=csv download>"Download CSV"</a>
            </div>
            <p class="field__hint">"What discounts took off orders, and who funds them: the platform owes the brand what it funded. Orders that lapsed or were cancelled in full are not counted."</p>
            <Transition fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                {move || rows.get().map(|result| match result {
                    Ok(rows) if rows.is_empty() => view! { <p>"No discounts used yet."</p> }.into_any(),
                    Ok(rows) => view! { <SettlementTable rows/> }.into_any(),
                    Err(AppError::Forbidden) => view! { <p>"Managers and owners see the settlement."</p> }.into_any(),
                    Err(error) => view! { <InlineError error/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn SettlementTable(rows: Vec<SettlementRow>) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table class="data-table">
                <thead><tr><th scope="col">"Brand"</th><th scope="col">"Promotion"</th><th scope="col">"Funded by"</th><th scope="col">"Orders"</th><th scope="col">"Amount"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|row| view! {
                        <tr>
                            <td>{row.brand.clone()}</td>
                            <td>{row.promotion.clone()}</td>
                            <td>{if row.funded_by_platform { "Gala" } else { "The brand" }}</td>
                            <td>{row.orders}</td>
                            <td>{format_amount(row.amount_minor, &row.currency)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The new-promotion form's fields, as typed.
#[derive(Clone, Copy)]
struct Fields {
    kind: RwSignal<String>,
    name: RwSignal<String>,
    currency: RwSignal<String>,
    amount_off: RwSignal<String>,
    percent_off: RwSignal<String>,
    threshold: RwSignal<String>,
    cap: RwSignal<String>,
    starts_at: RwSignal<String>,
    ends_at: RwSignal<String>,
    usage_limit: RwSignal<String>,
    budget: RwSignal<String>,
    per_buyer_limit: RwSignal<String>,
    coupon_stock: RwSignal<String>,
    claim_limit: RwSignal<String>,
    code: RwSignal<String>,
    combinable: RwSignal<bool>,
}

impl Fields {
    fn new(platform: bool) -> Fields {
        let now = chrono::Utc::now();
        Fields {
            kind: RwSignal::new(
                if platform {
                    "platform_allowance"
                } else {
                    "store_threshold"
                }
                .to_owned(),
            ),
            name: RwSignal::new(String::new()),
            currency: RwSignal::new("CNY".to_owned()),
            amount_off: RwSignal::new(String::new()),
            percent_off: RwSignal::new(String::new()),
            threshold: RwSignal::new(String::new()),
            cap: RwSignal::new(String::new()),
            starts_at: RwSignal::new(time::display(now, Style::Field)),
            ends_at: RwSignal::new(time::display(
                now + chrono::TimeDelta::days(7),
                Style::Field,
            )),
            usage_limit: RwSignal::new(String::new()),
            budget: RwSignal::new(String::new()),
            per_buyer_limit: RwSignal::new(String::new()),
            coupon_stock: RwSignal::new(String::new()),
            claim_limit: RwSignal::new(String::new()),
            code: RwSignal::new(String::new()),
            combinable: RwSignal::new(true),
        }
    }

    /// The input the fields say. An amount or number that cannot be read is sent as 0, for
    /// the server to say what is wrong with it.
    fn input(&self) -> PromotionInput {
        let currency = self.currency.get().trim().to_uppercase();
        let text = |s: RwSignal<String>| Some(s.get().trim().to_owned()).filter(|t| !t.is_empty());
        let amount =
            |s: RwSignal<String>| text(s).map(|t| parse_amount(&t, &currency).unwrap_or(0));
        let count = |s: RwSignal<String>| text(s).map(|t| t.parse::<i32>().unwrap_or(0));
        let kind = match self.kind.get().as_str() {
            "price_cut" => Some(PromotionKind::PriceCut),
            "store_threshold" => Some(PromotionKind::StoreThreshold),
            "coupon" => Some(PromotionKind::Coupon),
            "platform_allowance" => Some(PromotionKind::PlatformAllowance),
            _ => None,
        };
        PromotionInput {
            kind,
            name: self.name.get(),
            percent_off: count(self.percent_off),
            amount_off_minor: amount(self.amount_off),
            threshold_minor: amount(self.threshold),
            cap_minor: amount(self.cap),
            currency: currency.clone(),
            listing_ids: Vec::new(),
            categories: Vec::new(),
            brands: Vec::new(),
            channels: Vec::<OrderChannel>::new(),
            starts_at: self.starts_at.get(),
            ends_at: self.ends_at.get(),
            per_buyer_limit: count(self.per_buyer_limit),
            usage_limit: count(self.usage_limit),
            budget_minor: amount(self.budget),
            combinable: self.combinable.get(),
            code: text(self.code),
            coupon_stock: count(self.coupon_stock),
            claim_limit: count(self.claim_limit),
        }
    }
}

/// The form that drafts a promotion for brand `slug` (none: the platform).
#[component]
fn PromotionForm(
    slug: Memo<Option<String>>,
    on_created: impl Fn() + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let fields = Fields::new(slug.get_untracked().is_none());
    let create = Action::new(move |input: &PromotionInput| {
        let (slug, input) = (slug.get_untracked(), input.clone());
        async move { create_promotion(slug, input).await }
    });
    let result: Signal<Option<Result<PromotionView, AppError>>> = create.value().into();
    Effect::new(move |_| {
        if let Some(Ok(_)) = result.get() {
            fields.name.set(String::new());
            on_created();
        }
    });
    let errors = move |field: &'static str| field_errors(result, field);
    let is_coupon = move || fields.kind.get() == "coupon";
    let steps = move || {
        matches!(
            fields.kind.get().as_str(),
            "store_threshold" | "platform_allowance"
        )
    };
    let kinds: Vec<(&'static str, &'static str)> = if slug.get_untracked().is_some() {
        vec![
            (
                "store_threshold",
                "Spend threshold: “40 off every 300” in your store",
            ),
            ("price_cut", "Price cut: a festival price on your listings"),
            ("coupon", "Coupon: buyers claim it, then use it at checkout"),
        ]
    } else {
        vec![
            (
                "platform_allowance",
                "Allowance: “50 off every 400” across brands",
            ),
            ("coupon", "Platform coupon: usable across brands"),
        ]
    };
    view! {
        <form class="panel form" novalidate on:submit=move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            create.dispatch(fields.input());
        }>
            <h2>"New promotion"</h2>
            <div class="field">
                <label class="field__label" for="promotion-kind">"What it does"</label>
                <select class="field__input" id="promotion-kind" prop:value=move || fields.kind.get()
                    on:change=move |ev| fields.kind.set(event_target_value(&ev))>
                    {kinds.into_iter().map(|(value, label)| view! { <option value=value>{label}</option> }).collect_view()}
                </select>
                <ErrorList errors=errors("kind")/>
            </div>
            <BoundField id="promotion-name" label="Name buyers read" hint="For example: 40 off every 300" value=fields.name errors=errors("name") required=true/>
            <div class="field-grid">
                <BoundField id="promotion-amount" label="Amount off" hint="Per step, per unit (price cut) or per order (coupon)" inputmode="decimal" value=fields.amount_off errors=errors("amount_off_minor")/>
                <Show when=move || !steps()>
                    <BoundField id="promotion-percent" label="Percent off" hint="1 to 90" inputmode="numeric" value=fields.percent_off errors=errors("percent_off")/>
                </Show>
                <BoundField id="promotion-threshold" label="Spend per step, or a coupon's minimum spend" inputmode="decimal" value=fields.threshold errors=errors("threshold_minor")/>
                <BoundField id="promotion-cap" label="At most off per order (optional)" inputmode="decimal" value=fields.cap errors=errors("cap_minor")/>
                <BoundField id="promotion-currency" label="Currency" value=fields.currency errors=errors("currency") required=true/>
            </div>
            <div class="field-grid">
                <BoundField id="promotion-starts" label="Starts (UTC)" kind="datetime-local" value=fields.starts_at errors=errors("starts_at") required=true/>
                <BoundField id="promotion-ends" label="Ends (UTC)" kind="datetime-local" value=fields.ends_at errors=errors("ends_at") required=true/>
            </div>
            <div class="field-grid">
                <BoundField id="promotion-usage" label="Orders in all (optional)" inputmode="numeric" value=fields.usage_limit errors=errors("usage_limit")/>
                <BoundField id="promotion-budget" label="Budget (optional)" hint="Most it gives away in all" inputmode="decimal" value=fields.budget errors=errors("budget_minor")/>
                <BoundField id="promotion-per-buyer" label="Orders per buyer (optional)" inputmode="numeric" value=fields.per_buyer_limit errors=errors("per_buyer_limit")/>
            </div>
            <Show when=is_coupon>
                <div class="field-grid">
                    <BoundField id="promotion-stock" label="Coupons to give" inputmode="numeric" value=fields.coupon_stock errors=errors("coupon_stock") required=true/>
                    <BoundField id="promotion-claims" label="Claims per buyer" hint="Default 1" inputmode="numeric" value=fields.claim_limit errors=errors("claim_limit")/>
                    <BoundField id="promotion-code" label="Code (optional)" hint="Letters, digits and dashes" value=fields.code errors=errors("code")/>
                </div>
            </Show>
            <label class="choice">
                <input type="checkbox" prop:checked=move || fields.combinable.get() on:change=move |ev| fields.combinable.set(event_target_checked(&ev))/>
                "Combines with other promotions"
            </label>
            {move || match result.get() {
                Some(Err(AppError::Validation { .. })) | Some(Ok(_)) | None => None,
                Some(Err(error)) => Some(view! { <InlineError error/> }),
            }}
            {move || matches!(result.get(), Some(Ok(_))).then(|| view! { <p class="form-success" role="status">"Draft saved: submit it for review when it is ready."</p> })}
            <button class="button button--primary" type="submit" disabled=move || create.pending().get()>"Save draft"</button>
        </form>
    }
}

/// The admins' queue of submitted promotions, with the decision buttons.
#[component]
fn ReviewQueue(on_decided: impl Fn() + Send + Sync + Copy + 'static) -> impl IntoView {
    let queue = Resource::new(|| (), |_| promotion_review_queue());
    let decide = Action::new(move |(id, decision): &(String, PromotionDecision)| {
        let (id, decision) = (id.clone(), decision.clone());
        async move { decide_promotion(id, decision).await }
    });
    let result: Signal<Option<Result<PromotionView, AppError>>> = decide.value().into();
    Effect::new(move |_| {
        if let Some(Ok(_)) = result.get() {
            queue.refetch();
            on_decided();
        }
    });
    view! {
        <h2>"Waiting for review"</h2>
        {move || match result.get() {
            Some(Err(AppError::Validation { .. })) | Some(Ok(_)) | None => None,
            Some(Err(error)) => Some(view! { <InlineError error/> }),
        }}
        <ErrorList errors=field_errors(result, "reason")/>
        <Transition fallback=|| view! { <Skeleton class="skeleton--card"/> }>
            {move || queue.get().map(|result| match result {
                Ok(items) if items.is_empty() => view! {
                    <div class="notice"><h2 class="notice__title">"Nothing to review"</h2><p>"Promotions brands submit appear here."</p></div>
                }.into_any(),
                Ok(items) => view! {
                    <ul class="review-list">
                        {items.into_iter().map(|item| {
                            let reason = RwSignal::new(String::new());
                            let send = move |id: String, decision: ReviewDecision| {
                                let reason = Some(reason.get()).filter(|r| !r.trim().is_empty());
                                decide.dispatch((id, PromotionDecision { decision, reason }));
                            };
                            let (a, b, c) = (item.id.clone(), item.id.clone(), item.id.clone());
                            let reason_id = format!("reason-{}", item.id);
                            view! {
                                <li class="panel review-item" data-testid="promotion-review">
                                    <h3>{item.name.clone()}</h3>
                                    <p>{format!("{} · {} · {} · version {}", item.brand.clone().unwrap_or_else(|| "Gala (platform)".into()), item.kind.label(), item.summary, item.version)}</p>
                                    <label class="field__label" for=reason_id.clone()>"Reason (needed to reject or ask for changes)"</label>
                                    <textarea class="field__input" id=reason_id rows="2"
                                        prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                                    <div class="field-grid">
                                        <button class="button button--primary" type="button" on:click=move |_| send(a.clone(), ReviewDecision::Approve)>"Approve"</button>
                                        <button class="button button--secondary" type="button" on:click=move |_| send(b.clone(), ReviewDecision::RequestChanges)>"Ask for changes"</button>
                                        <button class="button button--secondary" type="button" on:click=move |_| send(c.clone(), ReviewDecision::Reject)>"Reject"</button>
                                    </div>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
                Err(AppError::Unauthorized) => view! { <SignInPrompt message="Sign in as a platform admin." next="/admin/promotions"/> }.into_any(),
                Err(AppError::Forbidden) => view! { <NotFoundPage/> }.into_any(),
                Err(error) => view! { <InlineError error/> }.into_any(),
            })}
        </Transition>
    }
}

/// A coupon's status as a badge.
fn coupon_badge(status: CouponStatus) -> impl IntoView {
    let class = match status {
        CouponStatus::Claimed => "badge badge--success",
        CouponStatus::Held => "badge badge--warning",
        CouponStatus::Used | CouponStatus::Expired => "badge",
    };
    view! { <span class=class>{status.label()}</span> }
}

/// `/coupons`: the signed-in buyer's coupons.
#[component]
pub fn WalletPage() -> impl IntoView {
    let coupons = Resource::new(|| (), |_| my_coupons());
    let envelopes = Resource::new(|| (), |_| my_envelopes());
    view! {
        <Title text="My coupons"/>
        <section class="container page">
            <div class="page__head"><h1>"My coupons"</h1></div>
            <Transition fallback=|| ()>
                {move || envelopes.get().and_then(Result::ok).filter(|items| !items.is_empty()).map(|items| view! {
                    <h2>"Red envelopes"</h2>
                    <ul class="coupon-list">
                        {items.into_iter().map(|envelope| view! { <EnvelopeCard envelope/> }).collect_view()}
                    </ul>
                    <h2>"Coupons"</h2>
                })}
            </Transition>
            <Transition fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                {move || coupons.get().map(|result| match result {
                    Ok(items) if items.is_empty() => view! {
                        <div class="notice">
                            <h2 class="notice__title">"No coupons yet"</h2>
                            <p>"Claim coupons on brands' pages and listings; they wait here until you check out."</p>
                        </div>
                    }.into_any(),
                    Ok(items) => view! {
                        <ul class="coupon-list">
                            {items.into_iter().map(|coupon| view! { <CouponCard coupon/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(AppError::Unauthorized) => view! { <SignInPrompt message="Sign in to see your coupons." next="/coupons"/> }.into_any(),
                    Err(error) => view! { <InlineError error/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn CouponCard(coupon: CouponView) -> impl IntoView {
    view! {
        <li class="coupon panel" data-testid="coupon">
            <p class="coupon__value">{coupon.summary.clone()}</p>
            <p class="coupon__name">{coupon.name.clone()} " " {coupon_badge(coupon.status)}</p>
            <p class="field__hint">{format!("{} · until {}",
                coupon.brand.clone().map_or("Any brand on Gala".to_owned(), |b| format!("At {b}")),
                time::display(coupon.expires_at, Style::DayYearTime))}</p>
            {coupon.order_id.clone().map(|id| view! { <A href=format!("/orders/{id}")>"Its order"</A> })}
        </li>
    }
}

/// The coupons a brand offers now (`offers`, from [`claimable_coupons`], made by the page
/// beside its own data), each with a claim button (a plain form without the wasm). Nothing
/// when it offers none.
#[component]
pub fn CouponOffers(offers: Resource<Result<Vec<PromotionView>, AppError>>) -> impl IntoView {
    let claim = ServerAction::<ClaimCoupon>::new();
    let claimed: Signal<Option<Result<CouponView, AppError>>> = claim.value().into();
    view! {
        <Transition fallback=|| ()>
            {move || offers.get().and_then(Result::ok).filter(|items| !items.is_empty()).map(|items| view! {
                <section class="coupon-offers" aria-label="Coupons">
                    <h2 class="coupon-offers__title">"Coupons"</h2>
                    <ul class="coupon-list">
                        {items.into_iter().map(|item| view! {
                            <li class="coupon panel" data-testid="coupon-offer">
                                <p class="coupon__value">{item.summary.clone()}</p>
                                <p class="coupon__name">{item.name.clone()}</p>
                                <ActionForm action=claim>
                                    <input type="hidden" name="promotion_id" value=item.promotion_id.clone()/>
                                    <button class="button button--secondary" type="submit" disabled=move || claim.pending().get()>"Claim"</button>
                                </ActionForm>
                            </li>
                        }).collect_view()}
                    </ul>
                    {move || claimed.get().map(claim_outcome)}
                </section>
            })}
        </Transition>
    }
}

/// The red-envelope game: one tap opens the moment's envelope — the festival day's on the
/// home page, or a live show's (`show_id`) on its page; the server decides the win, one play
/// per buyer per moment. A plain form without the wasm.
#[component]
pub fn EnvelopeGame(#[prop(optional, into)] show_id: Option<String>) -> impl IntoView {
    let play = ServerAction::<PlayEnvelopes>::new();
    let outcome: Signal<Option<Result<PlayOutcome, AppError>>> = play.value().into();
    let lead = if show_id.is_some() {
        "Catch this show's red envelope: one tap while it is live, to spend on any brand at checkout."
    } else {
        "Tap the envelope once a day during the festival: Gala hands out red envelopes you can spend on any brand's products at checkout."
    };
    view! {
        <section class="container envelope-game" aria-labelledby="envelope-title">
            <div class="envelope-game__card">
                <h2 id="envelope-title" class="envelope-game__title">"Red envelopes"</h2>
                <p>{lead}</p>
                <ActionForm action=play>
                    {show_id.map(|id| view! { <input type="hidden" name="show_id" value=id/> })}
                    <button class="envelope-game__envelope" type="submit" disabled=move || play.pending().get() aria-describedby="envelope-outcome">
                        <span class="envelope-game__seal" aria-hidden="true"></span>
                        <span class="visually-hidden">"Open the red envelope"</span>
                    </button>
                </ActionForm>
                <p id="envelope-outcome" class="envelope-game__outcome" role="status" aria-live="polite">
                    {move || outcome.get().map(play_outcome)}
                </p>
            </div>
        </section>
    }
}

/// What a coupon claim answered, in words.
fn claim_outcome(result: Result<CouponView, AppError>) -> AnyView {
    match result {
        Ok(_) => view! { <p class="form-success" role="status">"Claimed: it is in " <A href="/coupons">"your coupons"</A> "."</p> }.into_any(),
        Err(AppError::Unauthorized) => view! { <p class="form-alert" role="alert"><A href="/signin">"Sign in"</A> " to claim coupons."</p> }.into_any(),
        Err(error) => view! { <p class="form-alert" role="alert">{error.to_string()}</p> }.into_any(),
    }
}

/// What a red-envelope play answered, in words.
fn play_outcome(result: Result<PlayOutcome, AppError>) -> AnyView {
    match result {
        Ok(outcome) => view! {
            {outcome.message}
            {outcome.won.map(|_| view! { " " <A href="/coupons">"See your envelopes"</A> })}
        }
        .into_any(),
        Err(AppError::Unauthorized) => {
            view! { <A href="/signin">"Sign in"</A> " to open red envelopes." }.into_any()
        }
        Err(error) => view! { {error.to_string()} }.into_any(),
    }
}

/// Where a buyer meets moments: a show's drop, or a store's claim link (its QR code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MomentPlace {
    Drop { show_id: String, drop_id: String },
    Link { token: String },
}

impl MomentPlace {
    /// The hidden fields naming it in the claim and play forms.
    fn fields(&self) -> Vec<(&'static str, String)> {
        match self {
            MomentPlace::Drop { show_id, drop_id } => {
                vec![("show_id", show_id.clone()), ("drop_id", drop_id.clone())]
            }
            MomentPlace::Link { token } => vec![("link", token.clone())],
        }
    }

    fn id(&self) -> &str {
        match self {
            MomentPlace::Drop { drop_id, .. } => drop_id,
            MomentPlace::Link { token } => token,
        }
    }
}

/// The moments a show's drop or a store's code carries: a coupon to claim, and a "find the
/// cat" red envelope (one play per buyer per drop or code; the server decides the win). Plain
/// forms without the wasm.
#[component]
pub fn Moments(place: MomentPlace, coupon: Option<CouponMoment>, envelope: bool) -> impl IntoView {
    let claim = ServerAction::<ClaimCoupon>::new();
    let claimed: Signal<Option<Result<CouponView, AppError>>> = claim.value().into();
    let play = ServerAction::<PlayEnvelopes>::new();
    let played: Signal<Option<Result<PlayOutcome, AppError>>> = play.value().into();
    let outcome_id = format!("cat-outcome-{}", place.id());
    let described_by = outcome_id.clone();
    let hidden = |fields: Vec<(&'static str, String)>| {
        fields
            .into_iter()
            .map(|(name, value)| view! { <input type="hidden" name=name value=value/> })
            .collect_view()
    };
    // A drop's coupon is claimed by its promotion; a code's through the code (which checks it
    // has not expired).
    let claim_fields = match (&place, &coupon) {
        (MomentPlace::Drop { .. }, Some(coupon)) => {
            vec![("promotion_id", coupon.promotion_id.clone())]
        }
        _ => place.fields(),
    };
    let play_fields = place.fields();
    view! {
        <div class="drop-moments">
            {coupon.map(|coupon| view! {
                <div class="drop-moment coupon" data-testid="drop-coupon">
                    <p class="coupon__value">{coupon.summary}</p>
                    <p class="coupon__name">{coupon.name}</p>
                    <ActionForm action=claim>
                        {hidden(claim_fields)}
                        <button class="button button--secondary" type="submit" disabled=move || claim.pending().get()>"Claim coupon"</button>
                    </ActionForm>
                    {move || claimed.get().map(claim_outcome)}
                </div>
            })}
            {envelope.then(|| view! {
                <div class="drop-moment drop-moment--cat" data-testid="drop-envelope">
                    <ActionForm action=play>
                        {hidden(play_fields)}
                        <button class="drop-moment__cat" type="submit" disabled=move || play.pending().get() aria-describedby=described_by>
                            <span aria-hidden="true">"🐱"</span>
                            " Find the cat: tap it for a red envelope"
                        </button>
                    </ActionForm>
                    <p id=outcome_id class="drop-moment__outcome" role="status" aria-live="polite">
                        {move || played.get().map(play_outcome)}
                    </p>
                </div>
            })}
        </div>
    }
}

/// `/claim/:token`: what a store's QR code opens — the place, and its coupon and red
/// envelope to claim (signed-in, verified buyers).
#[component]
pub fn ClaimPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.get().get("token").unwrap_or_default();
    let link = Resource::new(token, open_claim_link);
    view! {
        <Title text="Claim at the store"/>
        <section class="container page claim-page">
            <Suspense fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                {move || link.get().map(|result| match result {
                    Ok(link) => view! { <ClaimLinkCard link/> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFoundPage/> }.into_any(),
                    Err(error) => view! { <InlineError error/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ClaimLinkCard(link: ClaimLinkView) -> impl IntoView {
    let until = time::display(link.expires_at, Style::DayYearTime);
    view! {
        <header class="page__head">
            <div>
                <p class="console__eyebrow">{link.host.clone()}</p>
                <h1>{link.place.clone()}</h1>
            </div>
        </header>
        {if link.expired {
            view! { <p class="form-alert" role="alert">"This code has expired. Ask at the store for today's."</p> }.into_any()
        } else {
            view! {
                <p class="field__hint">{format!("Scanned at the store · works until {until}")}</p>
                <Moments place=MomentPlace::Link { token: link.path.trim_start_matches("/claim/").to_owned() }
                    coupon=link.coupon.clone() envelope=link.envelope/>
                <p><A href="/coupons">"Your coupons and envelopes"</A></p>
            }.into_any()
        }}
    }
}

/// A brand's (or the platform's) claim links: a new one for a store's door or counter, and
/// each one's QR code to print.
#[component]
fn ClaimLinks(
    slug: Memo<Option<String>>,
    promotions: Resource<Result<Vec<PromotionView>, AppError>>,
) -> impl IntoView {
    let links = Resource::new(move || slug.get(), owner_claim_links);
    let place = RwSignal::new(String::new());
    let coupon = RwSignal::new(String::new());
    let envelope = RwSignal::new(false);
    let hours = RwSignal::new("24".to_owned());
    let create = Action::new(move |_: &()| {
        let input = ClaimLinkInput {
            place: place.get_untracked(),
            coupon_promotion_id: Some(coupon.get_untracked()).filter(|c| !c.is_empty()),
            envelope: envelope.get_untracked(),
            valid_hours: hours.get_untracked().trim().parse().unwrap_or(0),
        };
        let slug = slug.get_untracked();
        async move { create_claim_link(slug, input).await }
    });
    let created = create.value();
    Effect::new(move |_| {
        if let Some(Ok(_)) = created.get() {
            place.set(String::new());
            links.refetch();
        }
    });
    let result: Signal<Option<Result<ClaimLinkView, AppError>>> = created.into();
    let errors = move |field: &'static str| field_errors(result, field);
    view! {
        <section class="panel claim-links" aria-labelledby="claim-links-title">
            <h2 id="claim-links-title">"Store codes"</h2>
            <p class="field__hint">"A QR code for a store's door or counter: shoppers scan it to claim a coupon or find the cat for a red envelope, until it expires."</p>
            <form class="form" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); create.dispatch(()); }>
                <BoundField id="claim-place" label="Where it hangs" value=place errors=errors("place") hint="Such as “Shanghai pop-up, front door”." required=true/>
                <div class="field">
                    <label class="field__label" for="claim-coupon">"Coupon"</label>
                    <select class="field__input" id="claim-coupon" on:change=move |ev| coupon.set(event_target_value(&ev))>
                        <option value="" selected=move || coupon.get().is_empty()>"No coupon"</option>
                        <Transition fallback=|| ()>
                            {move || promotions.get().and_then(Result::ok).map(|items| items.into_iter()
                                .filter(|p| p.kind == PromotionKind::Coupon && p.status == PromotionStatus::Approved)
                                .map(|p| view! { <option value=p.promotion_id.clone()>{format!("{} · {}", p.name, p.summary)}</option> })
                                .collect_view())}
                        </Transition>
                    </select>
                    <ErrorList errors=errors("coupon_promotion_id")/>
                </div>
                <label class="choice">
                    <input type="checkbox" prop:checked=move || envelope.get() on:change=move |ev| envelope.set(event_target_checked(&ev))/>
                    " A red envelope: shoppers find the cat"
                </label>
                <BoundField id="claim-hours" label="Works for (hours)" value=hours errors=errors("valid_hours") inputmode="numeric" hint="Up to 744 (a month)."/>
                <button class="button button--primary" type="submit" disabled=move || create.pending().get()>"Create code"</button>
            </form>
            <Transition fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                {move || links.get().map(|result| match result {
                    Ok(items) if items.is_empty() => view! { <p class="empty-state">"No store codes yet."</p> }.into_any(),
                    Ok(items) => view! {
                        <ul class="claim-link-list">
                            {items.into_iter().map(|link| view! { <ClaimLinkItem link/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <InlineError error/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ClaimLinkItem(link: ClaimLinkView) -> impl IntoView {
    let gives: Vec<String> = link
        .coupon
        .iter()
        .map(|c| format!("Coupon: {}", c.summary))
        .chain(link.envelope.then(|| "Red envelope".to_owned()))
        .collect();
    view! {
        <li class="claim-link" data-testid="claim-link">
            <div class="claim-link__qr" inner_html=link.qr_svg.clone() role="img" aria-label=format!("QR code for {}", link.place)></div>
            <div class="claim-link__text">
                <p class="claim-link__place">{link.place.clone()}
                    {link.expired.then(|| view! { " " <span class="badge">"Expired"</span> })}</p>
                <p class="field__hint">{gives.join(" · ")}</p>
                <p class="field__hint">{format!("Until {}", time::display(link.expires_at, Style::DayYearTime))}</p>
                <a class="claim-link__url" href=link.path.clone()>{link.url.clone()}</a>
            </div>
        </li>
    }
}

/// A red envelope in the wallet.
#[component]
fn EnvelopeCard(envelope: EnvelopeView) -> impl IntoView {
    let class = match envelope.status {
        EnvelopeStatus::Won => "badge badge--success",
        EnvelopeStatus::Held => "badge badge--warning",
        EnvelopeStatus::Used | EnvelopeStatus::Expired => "badge",
    };
    view! {
        <li class="coupon coupon--envelope panel" data-testid="envelope">
            <p class="coupon__value">{format_amount(envelope.amount_minor, &envelope.currency)}</p>
            <p class="coupon__name">"Red envelope " <span class=class>{envelope.status.label()}</span></p>
            <p class="field__hint">{format!("Any brand on Gala · until {}", time::display(envelope.expires_at, Style::DayYearTime))}</p>
        </li>
    }
}
