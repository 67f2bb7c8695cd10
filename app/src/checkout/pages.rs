//! The storefront's checkout: `/checkout` (the cart) or `/checkout?sku=…&qty=…` ("Buy now"):
//! address, delivery, card, review and pay in one mobile-first page, with a waiting room when
//! the engine asks buyers to wait; `/orders/<id>` (the confirmation) and `/orders` (history).

use std::time::Duration;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use super::{
    discounts, load_checkout, my_orders, order, quote_order, CheckoutForm as FormInput,
    DeliveryOption, OrderLineInput, OrderStatus, OrderView, PlaceOrder,
};
use crate::checkout::cart::{use_cart, CartLineView, CheckoutDraft, DiscountRows};
use crate::core::money::format_amount;
use crate::core::time::{self, Style};
use crate::core::ui::{
    capitalise, BoundField, ErrorList, InlineError, NotFoundPage, SignInPrompt, Skeleton,
};
use crate::core::AppError;

/// `/checkout?sku=<id>&qty=<n>` buys one item; `/checkout` buys the cart. Guests or signed in.
#[component]
pub fn CheckoutPage() -> impl IntoView {
    let query = use_query_map();
    let wanted = move || {
        let query = query.get();
        (
            query.get("sku"),
            query.get("qty").and_then(|q| q.parse::<i64>().ok()),
        )
    };
    let draft = Resource::new(wanted, |(sku, quantity)| load_checkout(sku, quantity));
    view! {
        <Title text="Checkout"/>
        <section class="container page checkout">
            <h1>"Checkout"</h1>
            <Suspense fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                {move || draft.get().map(|result| match result {
                    Ok(draft) if draft.cart.brands.is_empty() => view! {
                        <div class="empty-state">
                            <p class="empty-state__title">"Nothing to check out"</p>
                            <p>"Your cart is empty."</p>
                            <A href="/search" attr:class="button button--primary">"Start shopping"</A>
                        </div>
                    }.into_any(),
                    Ok(draft) => view! { <CheckoutForm draft/> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFoundPage/> }.into_any(),
                    Err(error) => view! { <InlineError error/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// Which card pays: one typed in now, or a saved one (by id).
const NEW_CARD: &str = FormInput::NEW_CARD;

#[component]
fn CheckoutForm(draft: CheckoutDraft) -> impl IntoView {
    let cart_context = use_cart();
    let currency = draft.cart.currency.clone().unwrap_or_default();
    let lines: Vec<CartLineView> = draft.cart.lines().cloned().collect();
    let parcels = draft.cart.brands.len() as i64;
    let single_item = !draft.from_cart && lines.len() == 1;
    // "Buy now" lets the quantity change here; a cart's quantities change in the cart.
    let quantity = RwSignal::new(lines.first().map(|l| l.quantity).unwrap_or(1).to_string());
    let signed_in = draft.email.is_some();
    let email = RwSignal::new(draft.email.clone().unwrap_or_default());
    let name = RwSignal::new(String::new());
    let line1 = RwSignal::new(String::new());
    let line2 = RwSignal::new(String::new());
    let city = RwSignal::new(String::new());
    let postal_code = RwSignal::new(String::new());
    let country = RwSignal::new("CN".to_owned());
    let phone = RwSignal::new(String::new());
    let express = RwSignal::new(false);
    let pay_with = RwSignal::new(
        draft
            .saved_cards
            .first()
            .map(|c| c.id.clone())
            .unwrap_or_else(|| NEW_CARD.to_owned()),
    );
    let card_number = RwSignal::new(String::new());
    let expiry = RwSignal::new(String::new());
    let cvc = RwSignal::new(String::new());
    let lines = StoredValue::new(lines);
    let checkout_key = draft.checkout_key.clone();
    let from_cart = draft.from_cart;

    // One idempotency key per attempt: pressing Pay again after a time-out or a 429 resends
    // the same key (so it cannot order twice); after a definite answer (a declined card, a
    // field to correct) the next press is a new attempt with a new key. Without the wasm, each
    // page load is one attempt (the server renders a fresh key).
    let attempt = RwSignal::new(0u32);
    let key = move || format!("{checkout_key}-{}", attempt.get());
    // The form posts itself to this server function; without the wasm the server answers with
    // the confirmation, or this page again with the error in its address (which the action
    // reads back, so the same field messages show).
    let place = ServerAction::<PlaceOrder>::new();
    let result: Signal<Option<Result<OrderView, AppError>>> = place.value().into();
    let last_input: StoredValue<Option<PlaceOrder>> = StoredValue::new(None);
    Effect::new(move |_| {
        if let Some(input) = place.input().get() {
            last_input.set_value(Some(input));
        }
    });
    // The waiting room: seconds until the same attempt is sent again by itself.
    let waiting: RwSignal<Option<u64>> = RwSignal::new(None);
    let navigate = use_navigate();
    Effect::new(move |_| match result.get() {
        Some(Ok(order)) => {
            cart_context.refresh();
            navigate(
                &super::order_link("", &order.id, order.access_key.as_deref()),
                Default::default(),
            )
        }
        Some(Err(AppError::RateLimited { retry_after_secs })) => {
            waiting.set(Some(retry_after_secs.clamp(1, 30)))
        }
        Some(Err(AppError::Unavailable | AppError::Internal)) | None => {}
        Some(Err(_)) => attempt.update(|n| *n += 1),
    });
    Effect::new(move |_| match waiting.get() {
        Some(0) => {
            waiting.set(None);
            if let Some(input) = last_input.get_value() {
                place.dispatch(input);
            }
        }
        Some(seconds) => set_timeout(
            move || {
                if waiting.get_untracked() == Some(seconds) {
                    waiting.set(Some(seconds - 1));
                }
            },
            Duration::from_secs(1),
        ),
        None => {}
    });
    let errors = move |field: String| {
        Signal::derive(move || match result.get() {
            Some(Err(err)) => err.field_messages(&field).to_vec(),
            _ => Vec::new(),
        })
    };
    // A 429 is the waiting room's to show once the wasm runs; a page without it says so here.
    let alert = move || match result.get() {
        Some(Err(AppError::Validation { .. })) | None | Some(Ok(_)) => None,
        Some(Err(AppError::RateLimited { .. })) if waiting.get().is_some() => None,
        Some(Err(err)) => Some(err.to_string()),
    };
    // The totals are always the server's quote: asked again when the quantity or the delivery
    // changes (the page computes no price itself).
    let quote = RwSignal::new(draft.cart.quote.clone());
    // The buyer's coupon and red envelope ("" for none), quoted with the rest.
    let coupon = RwSignal::new(String::new());
    let envelope = RwSignal::new(String::new());
    type Wanted = (Vec<OrderLineInput>, DeliveryOption, String, String);
    let requote = Action::new(move |(lines, delivery, coupon, envelope): &Wanted| {
        let (lines, delivery) = (lines.clone(), *delivery);
        let chosen = |id: &String| Some(id.clone()).filter(|c| !c.is_empty());
        let (coupon, envelope) = (chosen(coupon), chosen(envelope));
        async move { quote_order(lines, delivery, coupon, envelope).await }
    });
    let wanted_lines = move || {
        lines.with_value(|ls| {
            ls.iter()
                .map(|l| OrderLineInput {
                    sku: l.sku.clone(),
                    quantity: if single_item {
                        quantity.get().trim().parse().unwrap_or(0)
                    } else {
                        l.quantity
                    },
                })
                .collect::<Vec<_>>()
        })
    };
    let delivery = move || {
        if express.get() {
            DeliveryOption::Express
        } else {
            DeliveryOption::Standard
        }
    };
    Effect::new(move |previous: Option<Wanted>| {
        let wanted = (wanted_lines(), delivery(), coupon.get(), envelope.get());
        let valid = wanted.0.iter().all(|l| l.quantity >= 1);
        if previous.as_ref().is_some_and(|p| *p != wanted) && valid {
            requote.dispatch(wanted.clone());
        }
        wanted
    });
    Effect::new(move |_| {
        if let Some(Ok(fresh)) = requote.value().get() {
            quote.set(fresh);
        }
    });
    let money = {
        let currency = currency.clone();
        move |minor: i64| format_amount(minor, &currency)
    };
    let (m1, m2, m2b, m3, m4) = (
        money.clone(),
        money.clone(),
        money.clone(),
        money.clone(),
        money.clone(),
    );
    let saved_cards = draft.saved_cards.clone();
    let coupons = draft.coupons.clone();
    let envelopes = draft.envelopes.clone();
    view! {
        <Show when=move || waiting.get().is_some()>
            <section class="waiting-room panel" role="status" aria-live="polite">
                <span class="waiting-room__pulse" aria-hidden="true"></span>
                <h2>"You're in the queue"</h2>
                <p>"So many people are buying right now that we asked you to wait a moment. Keep this page open: your order is sent again by itself, and you cannot be charged twice."</p>
                <p class="waiting-room__count">{move || waiting.get().map(|s| format!("Trying again in {s} s"))}</p>
                <button class="button button--secondary" type="button" on:click=move |_| waiting.set(None)>"Leave the queue"</button>
            </section>
        </Show>
        <ActionForm action=place attr:class="checkout__form form" attr:novalidate=true attr:hidden=move || waiting.get().is_some()>
            <input type="hidden" name="form[key]" value=key/>
            {(!from_cart).then(|| view! {
                <input type="hidden" name="form[sku]" value=lines.with_value(|l| l.first().map(|l| l.sku.clone()).unwrap_or_default())/>
            })}
            <section class="checkout__summary panel" aria-label="Your items">
                {lines.get_value().into_iter().enumerate().map(|(i, line)| {
                    let m = m4.clone();
                    view! {
                        <div class="checkout__item">
                            {line.image_url.clone().map(|url| view! { <img class="checkout__thumb" src=url alt=""/> })}
                            <div>
                                <p class="checkout__brand">{line.brand_name.clone()}</p>
                                <p class="checkout__title">{line.title.clone()}</p>
                                <p class="checkout__variant">{line.variant.clone()}</p>
                                <p class="checkout__price">{m(line.unit_price_minor)}
                                    {(!single_item).then(|| format!(" × {}", line.quantity))}</p>
                                {if line.available > 0 {
                                    view! { <p class="checkout__stock">{format!("{} available", line.available)}</p> }.into_any()
                                } else {
                                    view! { <p class="checkout__stock"><span class="badge badge--danger">"Sold out"</span></p> }.into_any()
                                }}
                                {line.purchase_limit.map(|limit| view! { <p class="field__hint">{format!("Limit {limit} per buyer")}</p> })}
                                <ErrorList errors=errors(format!("lines.{i}.sku"))/>
                                {(!single_item).then(|| view! { <ErrorList errors=errors(format!("lines.{i}.quantity"))/> })}
                            </div>
                        </div>
                    }
                }).collect_view()}
                {single_item.then(|| view! {
                    <BoundField id="checkout-quantity" name="form[quantity]" label="Quantity" inputmode="numeric" value=quantity errors=errors("lines.0.quantity".into()) required=true/>
                })}
                {from_cart.then(|| view! { <A href="/cart" attr:class="checkout__edit">"Edit cart"</A> })}
                <ErrorList errors=errors("lines".into())/>
            </section>

            <fieldset class="checkout__section">
                <legend class="checkout__legend">"Contact"</legend>
                <BoundField id="checkout-email" name="form[email]" label="Email for your receipt" kind="email" inputmode="email" value=email errors=errors("email".into()) required=true/>
            </fieldset>

            <fieldset class="checkout__section">
                <legend class="checkout__legend">"Delivery address"</legend>
                <ErrorList errors=errors("shipping_address".into())/>
                <BoundField id="checkout-name" name="form[name]" label="Full name" value=name errors=errors("shipping_address.name".into()) required=true/>
                <BoundField id="checkout-line1" name="form[line1]" label="Address" value=line1 errors=errors("shipping_address.line1".into()) required=true/>
                <BoundField id="checkout-line2" name="form[line2]" label="Apartment, floor (optional)" value=line2 errors=errors("shipping_address.line2".into())/>
                <div class="field-grid">
                    <BoundField id="checkout-city" name="form[city]" label="City" value=city errors=errors("shipping_address.city".into()) required=true/>
                    <BoundField id="checkout-postal" name="form[postal_code]" label="Postal code" value=postal_code errors=errors("shipping_address.postal_code".into()) required=true/>
                </div>
                <div class="field-grid">
                    <BoundField id="checkout-country" name="form[country]" label="Country code" hint="Two letters: CN, US, FR…" value=country errors=errors("shipping_address.country".into()) required=true/>
                    <BoundField id="checkout-phone" name="form[phone]" label="Phone (optional)" kind="tel" inputmode="tel" value=phone errors=errors("shipping_address.phone".into())/>
                </div>
            </fieldset>

            <fieldset class="checkout__section">
                <legend class="checkout__legend">"Delivery"</legend>
                {(parcels > 1).then(|| view! { <p class="field__hint">{format!("Your items ship in {parcels} parcels, one per brand.")}</p> })}
                <label class="choice">
                    <input type="radio" name="form[delivery]" value="standard" checked=true prop:checked=move || !express.get() on:change=move |_| express.set(false)/>
                    {DeliveryOption::Standard.label()}
                </label>
                <label class="choice">
                    <input type="radio" name="form[delivery]" value="express" prop:checked=move || express.get() on:change=move |_| express.set(true)/>
                    {format!("{} — {}{}", DeliveryOption::Express.label(), m1(draft.express_fee_minor), if parcels > 1 { " per parcel" } else { "" })}
                </label>
            </fieldset>

            {(!coupons.is_empty()).then(|| view! {
                <fieldset class="checkout__section">
                    <legend class="checkout__legend">"Coupon"</legend>
                    <label class="choice">
                        <input type="radio" name="form[coupon]" value="" checked=true prop:checked=move || coupon.get().is_empty() on:change=move |_| coupon.set(String::new())/>
                        "No coupon"
                    </label>
                    {coupons.into_iter().map(|c| {
                        let (id, id2) = (c.id.clone(), c.id.clone());
                        view! {
                            <label class="choice">
                                <input type="radio" name="form[coupon]" value=c.id.clone() prop:checked=move || coupon.get() == id on:change=move |_| coupon.set(id2.clone())/>
                                {format!("{} — {}", c.name, c.summary)}
                            </label>
                        }
                    }).collect_view()}
                    <ErrorList errors=errors("coupon".into())/>
                </fieldset>
            })}
            {(!envelopes.is_empty()).then(|| view! {
                <fieldset class="checkout__section">
                    <legend class="checkout__legend">"Red envelope"</legend>
                    <label class="choice">
                        <input type="radio" name="form[envelope]" value="" checked=true prop:checked=move || envelope.get().is_empty() on:change=move |_| envelope.set(String::new())/>
                        "Keep it for later"
                    </label>
                    {envelopes.into_iter().map(|e| {
                        let (id, id2) = (e.id.clone(), e.id.clone());
                        view! {
                            <label class="choice">
                                <input type="radio" name="form[envelope]" value=e.id.clone() prop:checked=move || envelope.get() == id on:change=move |_| envelope.set(id2.clone())/>
                                {format!("{} red envelope (until {})", format_amount(e.amount_minor, &e.currency), time::display(e.expires_at, Style::DayYearTime))}
                            </label>
                        }
                    }).collect_view()}
                    <ErrorList errors=errors("envelope".into())/>
                </fieldset>
            })}

            <fieldset class="checkout__section">
                <legend class="checkout__legend">"Card"</legend>
                <p class="notice">"Sandbox payments: no money moves. Use 4242 4242 4242 4242 (succeeds) or 4000 0000 0000 0002 (declined), any future expiry, any CVC."</p>
                {saved_cards.into_iter().enumerate().map(|(i, card)| {
                    let first = i == 0;
                    let id = card.id.clone();
                    let id2 = card.id.clone();
                    view! {
                        <label class="choice">
                            <input type="radio" name="form[pay_with]" value=id.clone() checked=first prop:checked=move || pay_with.get() == id on:change=move |_| pay_with.set(id2.clone())/>
                            {format!("{} •••• {} (expires {:02}/{})", capitalise(&card.card_brand), card.last4, card.exp_month, card.exp_year % 100)}
                        </label>
                    }
                }).collect_view()}
                {(!draft.saved_cards.is_empty()).then(|| view! {
                    <label class="choice">
                        <input type="radio" name="form[pay_with]" value=NEW_CARD prop:checked=move || pay_with.get() == NEW_CARD on:change=move |_| pay_with.set(NEW_CARD.to_owned())/>
                        "A new card"
                    </label>
                })}
                <ErrorList errors=errors("payment.saved_method".into())/>
                <div hidden=move || pay_with.get() != NEW_CARD>
                    <BoundField id="checkout-card" name="form[card_number]" label="Card number" inputmode="numeric" value=card_number errors=errors("payment.card.number".into()) required=true/>
                    <div class="field-grid">
                        <BoundField id="checkout-expiry" name="form[expiry]" label="Expiry (MM/YY)" inputmode="numeric" value=expiry errors=Signal::derive(move || { let mut e = errors("payment.card.exp_month".into()).get(); e.extend(errors("payment.card.exp_year".into()).get()); e }) required=true/>
                        <BoundField id="checkout-cvc" name="form[cvc]" label="Security code" inputmode="numeric" value=cvc errors=errors("payment.card.cvc".into()) required=true/>
                    </div>
                    {signed_in.then(|| view! {
                        <label class="choice">
                            <input type="checkbox" name="form[save_card]"/>
                            "Save this card for one-tap buying"
                        </label>
                    })}
                </div>
                <ErrorList errors=errors("payment".into())/>
            </fieldset>

            <section class="checkout__review panel" aria-label="Review">
                <dl class="checkout__totals" aria-busy=move || requote.pending().get().to_string()>
                    <dt>"Items"</dt><dd>{move || m2(quote.with(|q| q.subtotal_minor))}</dd>
                    {let m = m2b.clone(); move || {
                        let found = quote.with(|q| discounts(q.lines.iter().flat_map(|l| l.adjustments.iter())));
                        view! { <DiscountRows discounts=found money=m.clone()/> }
                    }}
                    <dt>"Delivery"</dt><dd>{move || m3(quote.with(|q| q.shipping_minor))}</dd>
                    <dt class="checkout__total">"Total"</dt><dd class="checkout__total">{move || money(quote.with(|q| q.total_minor))}</dd>
                </dl>
                <Show when=move || alert().is_some()>
                    <p class="form-alert" role="alert">{alert}</p>
                </Show>
                <button class="button button--primary button--block" type="submit" disabled=move || place.pending().get()>
                    {move || if place.pending().get() { "Placing your order…" } else { "Pay and place order" }}
                </button>
            </section>
        </ActionForm>
    }
}

/// `/orders/<id>`: the order's confirmation and status.
#[component]
pub fn OrderPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || {
        (
            params.get().get("id").unwrap_or_default(),
            query.get().get("key"),
        )
    };
    let found = Resource::new(id, |(id, key)| order(id, key));
    view! {
        <section class="container page">
            <Suspense fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                {move || found.get().map(|result| match result {
                    Ok(order) => view! { <OrderSummary order/> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFoundPage/> }.into_any(),
                    Err(error) => view! { <InlineError error/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn OrderSummary(order: OrderView) -> impl IntoView {
    let money = {
        let currency = order.currency.clone();
        move |minor: i64| format_amount(minor, &currency)
    };
    let heading = match order.status {
        OrderStatus::Paid => "Thank you — your order is confirmed",
        OrderStatus::PendingPayment => "Your order is waiting for payment",
        OrderStatus::BalanceDue => "Your deposit is paid — the item is reserved for you",
        OrderStatus::BalancePaid => "Your deposit — the balance is paid, see its order",
        OrderStatus::Forfeited => "This deposit was forfeited: its balance was not paid in time",
        _ => "Order",
    };
    view! {
        <Title text=format!("Order {}", order.number)/>
        <article class="order panel">
            <h1>{heading}</h1>
            <p class="order__number">"Order " <strong>{order.number.clone()}</strong> " · " <span class="badge">{order.status.label()}</span></p>
            {(order.status == OrderStatus::Paid).then(|| view! { <p>{format!("We sent a confirmation to {}.", order.email)}</p> })}
            {order.brands.iter().map(|brand| view! {
                <section class="order__brand">
                    <h2 class="order__brand-name">{brand.brand_name.clone()}
                        " " <span class="badge">{brand.status.buyer_label()}</span></h2>
                    {brand.tracking_number.clone().map(|tracking| view! {
                        <p class="order__tracking">{format!("Shipped with {}: {}", brand.carrier.clone().unwrap_or_default(), tracking)}</p>
                    })}
                    {(brand.refunded_minor > 0).then(|| view! {
                        <p class="order__refund">{format!("Refunded {}", money(brand.refunded_minor))}</p>
                    })}
                    <ul class="order__lines">
                        {brand.lines.iter().map(|line| view! {
                            <li class="order__line">
                                <span>{format!("{} × {}", line.quantity, line.title)}
                                    {(!line.option_values.is_empty()).then(|| format!(" ({})", line.option_values.join(" / ")))}</span>
                                <span>{money(line.line_total_minor)}</span>
                                {line.presale_price_minor.zip(line.presale_credit_minor).map(|(price, credit)| view! {
                                    <p class="order__presale">{format!(
                                        "Pre-sale deposit: price {} a unit; your deposit counts as {} off it, so {} a unit is left to pay in the balance window, less any festival discounts.",
                                        money(price), money(credit), money(price - credit)
                                    )}</p>
                                })}
                            </li>
                        }).collect_view()}
                    </ul>
                </section>
            }).collect_view()}
            <dl class="checkout__totals">
                <dt>"Items"</dt><dd>{money(order.subtotal_minor)}</dd>
                <DiscountRows discounts=discounts(order.brands.iter().flat_map(|b| b.lines.iter()).flat_map(|l| l.adjustments.iter())) money=money.clone()/>
                <dt>"Delivery"</dt><dd>{money(order.shipping_minor)}</dd>
                <dt class="checkout__total">"Total"</dt><dd class="checkout__total">{money(order.total_minor)}</dd>
            </dl>
            {order.payment.clone().map(|p| view! {
                <p class="order__payment">{format!("Paid with {} •••• {} (sandbox)", capitalise(&p.card_brand.unwrap_or_default()), p.card_last4.unwrap_or_default())}</p>
            })}
            {order.shipping_address.clone().map(|a| view! {
                <p class="order__address">{format!("Delivering to {}, {}, {} {}, {}", a.name, a.line1, a.postal_code, a.city, a.country)}</p>
            })}
        </article>
    }
}

/// `/orders`: the signed-in shopper's orders, newest first.
#[component]
pub fn MyOrdersPage() -> impl IntoView {
    let orders = Resource::new(|| (), |_| my_orders());
    view! {
        <Title text="Your orders"/>
        <section class="container page">
            <h1>"Your orders"</h1>
            <Transition fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                {move || orders.get().map(|result| match result {
                    Ok(orders) if orders.is_empty() => view! {
                        <div class="empty-state">
                            <p class="empty-state__title">"No orders yet"</p>
                            <p>"When you buy something, it shows up here with its delivery status."</p>
                            <A href="/search" attr:class="button button--primary">"Start shopping"</A>
                        </div>
                    }.into_any(),
                    Ok(orders) => view! {
                        <ul class="order-list">
                            {orders.into_iter().map(|order| {
                                let items: i64 = order.brands.iter().flat_map(|b| b.lines.iter()).map(|l| l.quantity).sum();
                                let brands = order.brands.iter().map(|b| b.brand_name.clone()).collect::<Vec<_>>().join(", ");
                                view! {
                                    <li class="order-list__item panel">
                                        <A href=format!("/orders/{}", order.id) attr:class="order-list__link">
                                            <span class="order-list__number">{order.number.clone()}</span>
                                            <span class="badge">{order.status.label()}</span>
                                        </A>
                                        <p class="order-list__meta">{format!("{} · {} item{} from {}", time::display(order.created_at, Style::Day), items, if items == 1 { "" } else { "s" }, brands)}</p>
                                        <p class="order-list__total">{format_amount(order.total_minor, &order.currency)}</p>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(AppError::Unauthorized) => view! { <SignInPrompt message="Sign in to see your orders." next="/orders"/> }.into_any(),
                    Err(error) => view! { <InlineError error/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}
