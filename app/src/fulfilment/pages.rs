//! `/brand/<slug>/orders` (the brand's orders, by status or searched by number or email) and
//! `/brand/<slug>/orders/<id>` (one order: ship it, cancel it, refund it).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{
    cancel_brand_order, get_brand_order, list_brand_orders, refund_brand_order, ship_brand_order,
    BrandOrderDetail, BrandOrderFilter, BrandOrderSummary, FulfilInput, RefundInput,
    RefundLineInput,
};
use crate::checkout::BrandOrderStatus;
use crate::core::money::format_amount;
use crate::core::time::{self, Style};
use crate::core::ui::{
    capitalise, BoundField, ErrorList, FilterTab, InlineError, NotFoundPage, SignInPrompt, Skeleton,
};
use crate::core::AppError;

fn status_badge(status: BrandOrderStatus) -> impl IntoView {
    let class = match status {
        BrandOrderStatus::Paid => "badge badge--warning",
        BrandOrderStatus::Shipped => "badge badge--success",
        BrandOrderStatus::Cancelled | BrandOrderStatus::Refunded => "badge badge--danger",
        _ => "badge",
    };
    view! { <span class=class>{status.label()}</span> }
}

/// `/brand/:slug/orders`
#[component]
pub fn BrandOrdersPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.get().get("slug").unwrap_or_default();
    let query = use_query_map();
    let status = move || query.get().get("status").filter(|s| !s.is_empty());
    let q = move || query.get().get("q").filter(|s| !s.is_empty());
    let (after, set_after) = signal(None::<String>);
    let orders = Resource::new(
        move || (slug(), status(), q(), after.get()),
        |(slug, status, q, after)| list_brand_orders(slug, BrandOrderFilter { status, q, after }),
    );
    let tab = move |label: &'static str, value: Option<BrandOrderStatus>| {
        let href = Signal::derive(move || match value {
            Some(s) => format!("/brand/{}/orders?status={}", slug(), s.as_str()),
            None => format!("/brand/{}/orders", slug()),
        });
        let current = Signal::derive(move || status().as_deref() == value.map(|v| v.as_str()));
        view! { <FilterTab label href current/> }
    };
    view! {
        <Title text="Orders"/>
        <section class="container page">
            <div class="page__head">
                <h1>"Orders"</h1>
            </div>
            <crate::brands::DashboardNav slug=slug() current="orders"/>
            <form class="site-search orders-search" method="get" role="search">
                <label class="visually-hidden" for="orders-q">"Find an order"</label>
                <input class="field__input" id="orders-q" type="search" name="q" placeholder="Order number or buyer email" prop:value=move || q().unwrap_or_default()/>
                {move || status().map(|s| view! { <input type="hidden" name="status" value=s/> })}
                <button class="button button--secondary" type="submit">"Find"</button>
            </form>
            <nav aria-label="Order status">
                <ul class="filter-tabs">
                    {tab("All", None)}
                    {tab("To ship", Some(BrandOrderStatus::Paid))}
                    {tab("Shipped", Some(BrandOrderStatus::Shipped))}
                    {tab("Cancelled", Some(BrandOrderStatus::Cancelled))}
                    {tab("Refunded", Some(BrandOrderStatus::Refunded))}
                </ul>
            </nav>
            <Transition fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                {move || orders.get().map(|result| match result {
                    Ok(page) if page.orders.is_empty() => view! {
                        <div class="notice">
                            <h2 class="notice__title">"No orders here"</h2>
                            <p>{if q().is_some() { "No order matches that number or email." } else { "When shoppers buy your listings, their orders appear here, ready to ship." }}</p>
                        </div>
                    }.into_any(),
                    Ok(page) => {
                        let next = page.next_cursor.clone();
                        view! {
                            <ul class="listing-rows">
                                {page.orders.into_iter().map(|order| view! { <OrderRow slug=slug() order/> }).collect_view()}
                            </ul>
                            {next.map(|cursor| view! {
                                <button class="button button--secondary" type="button" on:click=move |_| set_after.set(Some(cursor.clone()))>"Next page"</button>
                            })}
                        }.into_any()
                    }
                    Err(AppError::Unauthorized) => view! { <SignInPrompt message="Sign in to see your brand's orders." next="/brands"/> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFoundPage/> }.into_any(),
                    Err(error) => view! { <InlineError error/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn OrderRow(slug: String, order: BrandOrderSummary) -> impl IntoView {
    view! {
        <li>
            <A href=format!("/brand/{slug}/orders/{}", order.id) attr:class="listing-row">
                <span class="listing-row__title">{order.number.clone()}</span>
                <span class="listing-row__meta">
                    {status_badge(order.status)}
                    <span>{format_amount(order.total_minor, &order.currency)}</span>
                    <span>{format!("{} item{}", order.items, if order.items == 1 { "" } else { "s" })}</span>
                    <span>{order.buyer_email.clone()}</span>
                    <span>{time::display(order.created_at, Style::DayTime)}</span>
                </span>
            </A>
        </li>
    }
}

/// `/brand/:slug/orders/:id`
#[component]
pub fn BrandOrderPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.get().get("slug").unwrap_or_default();
    let id = move || params.get().get("id").unwrap_or_default();
    let version = RwSignal::new(0u32);
    let found = Resource::new(
        move || (slug(), id(), version.get()),
        |(slug, id, _)| get_brand_order(slug, id),
    );
    view! {
        <section class="container page">
            <A href=move || format!("/brand/{}/orders", slug()) attr:class="back-link">"← All orders"</A>
            <Transition fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                {move || found.get().map(|result| match result {
                    Ok(order) => view! { <OrderDetail slug=slug() order changed=version/> }.into_any(),
                    Err(AppError::Unauthorized) => view! { <SignInPrompt message="Sign in to see this order." next="/brands"/> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFoundPage/> }.into_any(),
                    Err(error) => view! { <InlineError error/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn OrderDetail(slug: String, order: BrandOrderDetail, changed: RwSignal<u32>) -> impl IntoView {
    let currency = order.summary.currency.clone();
    let money = move |minor: i64| format_amount(minor, &currency);
    let status = order.summary.status;
    let slug = StoredValue::new(slug);
    let id = StoredValue::new(order.summary.id.clone());
    let after = move |result: &Option<Result<BrandOrderDetail, AppError>>| {
        if let Some(Ok(_)) = result {
            changed.update(|n| *n += 1);
        }
    };

    let carrier = RwSignal::new(String::new());
    let tracking = RwSignal::new(String::new());
    let ship = Action::new(move |input: &FulfilInput| {
        ship_brand_order(slug.get_value(), id.get_value(), input.clone())
    });
    Effect::new(move |_| after(&ship.value().get()));
    let ship_errors = move |field: &'static str| {
        Signal::derive(move || match ship.value().get() {
            Some(Err(err)) => err.field_messages(field).to_vec(),
            _ => Vec::new(),
        })
    };

    let cancel = Action::new(move |_: &()| cancel_brand_order(slug.get_value(), id.get_value()));
    Effect::new(move |_| after(&cancel.value().get()));
    let confirming_cancel = RwSignal::new(false);

    let refund_quantities: Vec<(String, RwSignal<String>)> = order
        .lines
        .iter()
        .map(|l| (l.id.clone(), RwSignal::new(String::new())))
        .collect();
    let refund_quantities = StoredValue::new(refund_quantities);
    let restock = RwSignal::new(true);
    let refund = Action::new(move |input: &RefundInput| {
        refund_brand_order(slug.get_value(), id.get_value(), input.clone())
    });
    Effect::new(move |_| after(&refund.value().get()));
    let refund_errors = move |field: String| {
        Signal::derive(move || match refund.value().get() {
            Some(Err(err)) => err.field_messages(&field).to_vec(),
            _ => Vec::new(),
        })
    };
    let failure = move || {
        [
            ship.value().get(),
            cancel.value().get(),
            refund.value().get(),
        ]
        .into_iter()
        .flatten()
        .find_map(|r| match r {
            Err(AppError::Validation { .. }) | Ok(_) => None,
            Err(err) => Some(err.to_string()),
        })
    };
    let can_ship = status == BrandOrderStatus::Paid;
    let can_refund = matches!(status, BrandOrderStatus::Paid | BrandOrderStatus::Shipped)
        && order.refundable_minor > 0;
    let lines = order.lines.clone();
    let refundable_lines: Vec<_> = order
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.line.quantity > l.line.refunded_quantity)
        .map(|(i, l)| (i, l.clone()))
        .collect();
    let m = money.clone();
    view! {
        <Title text=format!("Order {}", order.summary.number)/>
        <article class="order panel">
            <h1>{format!("Order {}", order.summary.number)} " " {status_badge(status)}</h1>
            <p class="order__meta">{format!("Placed {} by {}", time::display(order.summary.created_at, Style::DayYearTime), order.summary.buyer_email)}</p>
            <Show when=move || failure().is_some()>
                <p class="form-alert" role="alert">{failure}</p>
            </Show>
            <ul class="order__lines">
                {lines.into_iter().map(|l| {
                    let refunded = l.line.refunded_quantity;
                    view! {
                        <li class="order__line">
                            <span>{format!("{} × {}", l.line.quantity, l.line.title)}
                                {(!l.line.option_values.is_empty()).then(|| format!(" ({})", l.line.option_values.join(" / ")))}
                                <span class="order__sku">{format!(" · {}", l.line.sku_code)}</span>
                                {(refunded > 0).then(|| view! { " " <span class="badge badge--danger">{format!("{refunded} refunded")}</span> })}
                            </span>
                            <span>{m(l.line.line_total_minor)}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <dl class="checkout__totals">
                <dt>"Items"</dt><dd>{money(order.subtotal_minor)}</dd>
                <dt>{format!("Delivery: {}", order.delivery.label())}</dt><dd>{money(order.shipping_minor)}</dd>
                <dt class="checkout__total">"Total"</dt><dd class="checkout__total">{money(order.subtotal_minor + order.shipping_minor)}</dd>
                {(order.summary.refunded_minor > 0).then(|| view! { <dt>"Refunded"</dt><dd>{money(order.summary.refunded_minor)}</dd> })}
            </dl>
            {order.shipping_address.clone().map(|a| view! {
                <section class="order__address">
                    <h2 class="checkout__legend">"Ship to"</h2>
                    <address>
                        {a.name.clone()}<br/>{a.line1.clone()}
                        {a.line2.clone().map(|l| view! { <br/>{l} })}
                        <br/>{format!("{} {}", a.postal_code, a.city)}<br/>{a.country.clone()}
                        {a.phone.clone().map(|p| view! { <br/>{p} })}
                    </address>
                </section>
            })}
            {order.tracking_number.clone().map(|t| view! {
                <p class="order__tracking">{format!("Shipped with {}: {}", order.carrier.clone().unwrap_or_default(), t)}</p>
            })}
            {order.payment.clone().map(|p| view! {
                <p class="order__payment">{format!("Paid with {} •••• {} ({}, {})", capitalise(&p.card_brand.unwrap_or_default()), p.card_last4.unwrap_or_default(), p.provider, p.status.as_str())}</p>
            })}
        </article>

        {can_ship.then(|| view! {
            <form class="panel form order-action" novalidate=true on:submit=move |ev| {
                ev.prevent_default();
                ship.dispatch(FulfilInput { carrier: carrier.get(), tracking_number: tracking.get() });
            }>
                <h2>"Ship"</h2>
                <div class="field-grid">
                    <BoundField id="ship-carrier" label="Carrier" value=carrier errors=ship_errors("carrier") required=true/>
                    <BoundField id="ship-tracking" label="Tracking number" value=tracking errors=ship_errors("tracking_number") required=true/>
                </div>
                <button class="button button--primary" type="submit" disabled=move || ship.pending().get()>"Mark shipped and notify the buyer"</button>
            </form>
            <section class="panel order-action">
                <h2>"Cancel"</h2>
                <p>"Cancelling returns every unit to stock and refunds the buyer in full, delivery included."</p>
                <Show when=move || confirming_cancel.get() fallback=move || view! {
                    <button class="button button--secondary" type="button" on:click=move |_| confirming_cancel.set(true)>"Cancel this order…"</button>
                }>
                    <div class="button-row">
                        <button class="button button--danger" type="button" disabled=move || cancel.pending().get() on:click=move |_| { cancel.dispatch(()); }>"Yes, cancel and refund"</button>
                        <button class="button button--ghost" type="button" on:click=move |_| confirming_cancel.set(false)>"Keep it"</button>
                    </div>
                </Show>
            </section>
        })}

        {can_refund.then(|| view! {
            <form class="panel form order-action" novalidate=true on:submit=move |ev| {
                ev.prevent_default();
                let lines = refund_quantities.with_value(|qs| qs.iter().map(|(line, q)| RefundLineInput {
                    line: line.clone(),
                    quantity: q.get().trim().parse().unwrap_or(if q.get().trim().is_empty() { 0 } else { -1 }),
                }).collect());
                refund.dispatch(RefundInput { lines, restock: restock.get() });
            }>
                <h2>"Refund"</h2>
                <p>{format!("Up to {} can still be refunded. Refunding every remaining unit also refunds the delivery.", money(order.refundable_minor))}</p>
                <ErrorList errors=refund_errors("lines".into())/>
                {refundable_lines.into_iter().map(|(i, l)| {
                    let value = refund_quantities.with_value(|qs| qs[i].1);
                    let left = l.line.quantity - l.line.refunded_quantity;
                    view! {
                        <BoundField id=format!("refund-{i}") label=format!("{} — units to refund (of {left})", l.line.title) inputmode="numeric" value errors=refund_errors(format!("lines.{i}.quantity"))/>
                    }
                }).collect_view()}
                <label class="choice">
                    <input type="checkbox" prop:checked=move || restock.get() on:change=move |ev| restock.set(event_target_checked(&ev))/>
                    "Return these units to stock"
                </label>
                <button class="button button--primary" type="submit" disabled=move || refund.pending().get()>"Refund"</button>
            </form>
        })}
    }
}
