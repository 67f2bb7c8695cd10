//! The storefront's checkout: `/checkout?sku=…` (address, delivery, card, review and pay in
//! one mobile-first page) and `/orders/<id>` (the confirmation).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use super::{
    item_for_checkout, order, place_order, AddressInput, CardInput, CheckoutItem, DeliveryOption,
    OrderLineInput, OrderStatus, OrderView, PaymentInput, PlaceOrderInput,
};
use crate::core::money::format_amount;
use crate::core::ui::{BoundField, ErrorList, InlineError, NotFoundPage, Skeleton};
use crate::core::AppError;

/// `/checkout?sku=<id>&qty=<n>`: buy one item as a guest or signed in.
#[component]
pub fn CheckoutPage() -> impl IntoView {
    let query = use_query_map();
    let sku = move || query.get().get("sku").unwrap_or_default();
    let item = Resource::new(sku, item_for_checkout);
    view! {
        <Title text="Checkout"/>
        <section class="container page checkout">
            <h1>"Checkout"</h1>
            <Suspense fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                {move || item.get().map(|result| match result {
                    Ok(item) => view! { <CheckoutForm item/> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFoundPage/> }.into_any(),
                    Err(error) => view! { <InlineError error/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn CheckoutForm(item: CheckoutItem) -> impl IntoView {
    let query = use_query_map();
    let start_quantity = query
        .get_untracked()
        .get("qty")
        .and_then(|q| q.parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, 100);
    let quantity = RwSignal::new(start_quantity.to_string());
    let email = RwSignal::new(item.email.clone().unwrap_or_default());
    let name = RwSignal::new(String::new());
    let line1 = RwSignal::new(String::new());
    let line2 = RwSignal::new(String::new());
    let city = RwSignal::new(String::new());
    let postal_code = RwSignal::new(String::new());
    let country = RwSignal::new("CN".to_owned());
    let phone = RwSignal::new(String::new());
    let express = RwSignal::new(false);
    let card_number = RwSignal::new(String::new());
    let expiry = RwSignal::new(String::new());
    let cvc = RwSignal::new(String::new());
    let item = StoredValue::new(item);
    let currency = item.with_value(|i| i.currency.clone());

    // One idempotency key per attempt: pressing Pay again after a time-out or a 429 resends
    // the same key (so it cannot order twice); after a definite answer (a declined card, a
    // field to correct) the next press is a new attempt with a new key.
    let attempt = RwSignal::new(0u32);
    let place = Action::new(move |input: &PlaceOrderInput| {
        let key = format!(
            "{}-{}",
            item.with_value(|i| i.checkout_key.clone()),
            attempt.get_untracked()
        );
        let input = input.clone();
        async move { place_order(input, key).await }
    });
    let result: Signal<Option<Result<OrderView, AppError>>> = place.value().into();
    let navigate = use_navigate();
    Effect::new(move |_| match result.get() {
        Some(Ok(order)) => navigate(&format!("/orders/{}", order.id), Default::default()),
        Some(Err(AppError::RateLimited { .. } | AppError::Unavailable | AppError::Internal))
        | None => {}
        Some(Err(_)) => attempt.update(|n| *n += 1),
    });
    let errors = move |field: &'static str| {
        Signal::derive(move || match result.get() {
            Some(Err(err)) => err.field_messages(field).to_vec(),
            _ => Vec::new(),
        })
    };
    let alert = move || {
        match result.get() {
        Some(Err(AppError::Validation { .. })) | None | Some(Ok(_)) => None,
        Some(Err(AppError::RateLimited { retry_after_secs })) => Some(format!(
            "So many people are checking out right now that we asked you to wait a moment. Press Pay again in {retry_after_secs} s — your place in the queue is not lost and you will not be charged twice."
        )),
        Some(Err(err)) => Some(err.to_string()),
    }
    };
    let units = move || quantity.get().trim().parse::<i64>().unwrap_or(1).max(1);
    let subtotal = move || item.with_value(|i| i.price_minor) * units();
    let express_fee = DeliveryOption::Express.fee_minor(&currency);
    let shipping = move || if express.get() { express_fee } else { 0 };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (month, year) = parse_expiry(&expiry.get());
        let optional = |s: String| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        place.dispatch(PlaceOrderInput {
            lines: vec![OrderLineInput {
                sku: item.with_value(|i| i.sku.clone()),
                quantity: quantity.get().trim().parse().unwrap_or(0),
            }],
            email: optional(email.get()),
            shipping_address: Some(AddressInput {
                name: name.get(),
                line1: line1.get(),
                line2: optional(line2.get()),
                city: city.get(),
                region: None,
                postal_code: postal_code.get(),
                country: country.get(),
                phone: optional(phone.get()),
            }),
            delivery: if express.get() {
                DeliveryOption::Express
            } else {
                DeliveryOption::Standard
            },
            payment: PaymentInput {
                card: Some(CardInput {
                    number: card_number.get(),
                    exp_month: month,
                    exp_year: year,
                    cvc: cvc.get(),
                }),
                saved_method: None,
                save_card: false,
            },
        });
    };
    let price_label = {
        let currency = currency.clone();
        move |minor: i64| format_amount(minor, &currency)
    };
    let (p1, p2, p3) = (price_label.clone(), price_label.clone(), price_label);
    view! {
        <form class="checkout__form form" novalidate=true on:submit=submit>
            <section class="checkout__summary panel" aria-label="Your item">
                {item.with_value(|i| i.image_url.clone()).map(|url| view! { <img class="checkout__thumb" src=url alt=""/> })}
                <div>
                    <p class="checkout__brand">{item.with_value(|i| i.brand_name.clone())}</p>
                    <p class="checkout__title">{item.with_value(|i| i.title.clone())}</p>
                    <p class="checkout__variant">{item.with_value(|i| i.variant.clone())}</p>
                    <p class="checkout__price">{item.with_value(|i| format_amount(i.price_minor, &i.currency))}</p>
                    {item.with_value(|i| if i.available > 0 {
                        view! { <p class="checkout__stock">{format!("{} available", i.available)}</p> }.into_any()
                    } else {
                        view! { <p class="checkout__stock"><span class="badge badge--danger">"Sold out"</span></p> }.into_any()
                    })}
                    {item.with_value(|i| i.purchase_limit).map(|limit| view! { <p class="field__hint">{format!("Limit {limit} per buyer")}</p> })}
                </div>
                <BoundField id="checkout-quantity" label="Quantity" inputmode="numeric" value=quantity errors=errors("lines.0.quantity") required=true/>
                <ErrorList errors=errors("lines.0.sku")/>
            </section>

            <fieldset class="checkout__section">
                <legend class="checkout__legend">"Contact"</legend>
                <BoundField id="checkout-email" label="Email for your receipt" kind="email" inputmode="email" value=email errors=errors("email") required=true/>
            </fieldset>

            <fieldset class="checkout__section">
                <legend class="checkout__legend">"Delivery address"</legend>
                <ErrorList errors=errors("shipping_address")/>
                <BoundField id="checkout-name" label="Full name" value=name errors=errors("shipping_address.name") required=true/>
                <BoundField id="checkout-line1" label="Address" value=line1 errors=errors("shipping_address.line1") required=true/>
                <BoundField id="checkout-line2" label="Apartment, floor (optional)" value=line2 errors=errors("shipping_address.line2")/>
                <div class="field-grid">
                    <BoundField id="checkout-city" label="City" value=city errors=errors("shipping_address.city") required=true/>
                    <BoundField id="checkout-postal" label="Postal code" value=postal_code errors=errors("shipping_address.postal_code") required=true/>
                </div>
                <div class="field-grid">
                    <BoundField id="checkout-country" label="Country code" hint="Two letters: CN, US, FR…" value=country errors=errors("shipping_address.country") required=true/>
                    <BoundField id="checkout-phone" label="Phone (optional)" kind="tel" inputmode="tel" value=phone errors=errors("shipping_address.phone")/>
                </div>
            </fieldset>

            <fieldset class="checkout__section">
                <legend class="checkout__legend">"Delivery"</legend>
                <label class="choice">
                    <input type="radio" name="delivery" prop:checked=move || !express.get() on:change=move |_| express.set(false)/>
                    {DeliveryOption::Standard.label()}
                </label>
                <label class="choice">
                    <input type="radio" name="delivery" prop:checked=move || express.get() on:change=move |_| express.set(true)/>
                    {format!("{} — {}", DeliveryOption::Express.label(), format_amount(DeliveryOption::Express.fee_minor(&currency), &currency))}
                </label>
            </fieldset>

            <fieldset class="checkout__section">
                <legend class="checkout__legend">"Card"</legend>
                <p class="notice">"Sandbox payments: no money moves. Use 4242 4242 4242 4242 (succeeds) or 4000 0000 0000 0002 (declined), any future expiry, any CVC."</p>
                <BoundField id="checkout-card" label="Card number" inputmode="numeric" value=card_number errors=errors("payment.card.number") required=true/>
                <div class="field-grid">
                    <BoundField id="checkout-expiry" label="Expiry (MM/YY)" inputmode="numeric" value=expiry errors=Signal::derive(move || { let mut e = errors("payment.card.exp_month").get(); e.extend(errors("payment.card.exp_year").get()); e }) required=true/>
                    <BoundField id="checkout-cvc" label="Security code" inputmode="numeric" value=cvc errors=errors("payment.card.cvc") required=true/>
                </div>
                <ErrorList errors=errors("payment")/>
            </fieldset>

            <section class="checkout__review panel" aria-label="Review">
                <dl class="checkout__totals">
                    <dt>"Items"</dt><dd>{move || p1(subtotal())}</dd>
                    <dt>"Delivery"</dt><dd>{move || p2(shipping())}</dd>
                    <dt class="checkout__total">"Total"</dt><dd class="checkout__total">{move || p3(subtotal() + shipping())}</dd>
                </dl>
                <Show when=move || alert().is_some()>
                    <p class="form-alert" role="alert">{alert}</p>
                </Show>
                <button class="button button--primary button--block" type="submit" disabled=move || place.pending().get()>
                    {move || if place.pending().get() { "Placing your order…" } else { "Pay and place order" }}
                </button>
            </section>
        </form>
    }
}

/// "12/31", "12 / 2031" → (12, 2031); (0, 0) when unreadable (the server says what's wrong).
fn parse_expiry(text: &str) -> (u32, u32) {
    let parts: Vec<u32> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.parse().ok())
        .collect();
    match parts.as_slice() {
        [month, year] if *year < 100 => (*month, 2000 + year),
        [month, year] => (*month, *year),
        _ => (0, 0),
    }
}

/// `/orders/<id>`: the order's confirmation and status.
#[component]
pub fn OrderPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.get().get("id").unwrap_or_default();
    let found = Resource::new(id, order);
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
                    <h2 class="order__brand-name">{brand.brand_name.clone()}</h2>
                    <ul class="order__lines">
                        {brand.lines.iter().map(|line| view! {
                            <li class="order__line">
                                <span>{format!("{} × {}", line.quantity, line.title)}
                                    {(!line.option_values.is_empty()).then(|| format!(" ({})", line.option_values.join(" / ")))}</span>
                                <span>{money(line.line_total_minor)}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                </section>
            }).collect_view()}
            <dl class="checkout__totals">
                <dt>"Items"</dt><dd>{money(order.subtotal_minor)}</dd>
                <dt>"Delivery"</dt><dd>{money(order.shipping_minor)}</dd>
                <dt class="checkout__total">"Total"</dt><dd class="checkout__total">{money(order.total_minor)}</dd>
            </dl>
            {order.payment.clone().map(|p| view! {
                <p class="order__payment">{format!("Paid with {} •••• {} (sandbox)", p.card_brand.unwrap_or_default(), p.card_last4.unwrap_or_default())}</p>
            })}
            {order.shipping_address.clone().map(|a| view! {
                <p class="order__address">{format!("Delivering to {}, {}, {} {}, {}", a.name, a.line1, a.postal_code, a.city, a.country)}</p>
            })}
        </article>
    }
}
