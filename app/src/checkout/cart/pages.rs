//! `/cart`, the header's cart badge and the "Add to cart" button of listing pages.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::{cart_size, get_cart, update_cart_line, AddToCart, CartLineView, CartView};
use crate::auth::use_user;
use crate::core::money::format_amount;
use crate::core::ui::{InlineError, Skeleton};
use crate::core::AppError;

/// The cart's size for the header, refreshed whenever the cart changes.
#[derive(Clone, Copy)]
pub struct CartContext {
    pub size: Resource<Result<i64, AppError>>,
    refresh: RwSignal<u32>,
}

impl CartContext {
    /// Reloads the size (after adding, changing or checking out).
    pub fn refresh(&self) {
        self.refresh.update(|n| *n += 1);
    }
}

/// Provides [`CartContext`]; called once by the app, after the user context (signing in
/// merges a guest cart, so the size follows the signed-in person too).
pub fn provide_cart_context() {
    let refresh = RwSignal::new(0u32);
    let user = use_user();
    let size = Resource::new(move || (refresh.get(), user.generation()), |_| cart_size());
    provide_context(CartContext { size, refresh });
}

/// The [`CartContext`] provided by the app.
pub fn use_cart() -> CartContext {
    expect_context::<CartContext>()
}

/// The header's link to the cart, with the number of items in it.
#[component]
pub fn CartLink() -> impl IntoView {
    let cart = use_cart();
    let count = move || cart.size.get().and_then(Result::ok).unwrap_or(0);
    view! {
        <A href="/cart" attr:class="cart-link">
            <span class="cart-link__icon" aria-hidden="true"></span>
            <span class="visually-hidden">"Cart"</span>
            <Transition fallback=|| ()>
                {move || (count() > 0).then(|| view! {
                    <span class="cart-link__count" data-testid="cart-count">{count()}</span>
                    <span class="visually-hidden">" items"</span>
                })}
            </Transition>
        </A>
    }
}

/// The "Add to cart" submit button of a listing's buy form (an `ActionForm` of `action` whose
/// `sku` field is the picked variant), with what happened said next to it. Without the wasm
/// the form posts itself and the server function answers with the cart (or, on an error, the
/// listing again with the error, which the action picks up from the address).
#[component]
pub fn AddToCartButton(
    action: ServerAction<AddToCart>,
    #[prop(into)] sku: Signal<String>,
) -> impl IntoView {
    let cart = use_cart();
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            cart.refresh();
        }
    });
    // A new variant picked: forget the last answer.
    Effect::watch(
        move || sku.get(),
        move |_, _, _| action.value().set(None),
        false,
    );
    view! {
        <button class="button button--secondary button--block" type="submit" disabled=move || action.pending().get()>
            {move || if action.pending().get() { "Adding…" } else { "Add to cart" }}
        </button>
        <p class="listing__added" role="status">
            {move || match action.value().get() {
                Some(Ok(_)) => view! { "Added to your cart. " <A href="/cart">"View cart"</A> }.into_any(),
                Some(Err(error)) => view! { <span class="field__error">{error_text(&error)}</span> }.into_any(),
                None => ().into_any(),
            }}
        </p>
    }
}

fn error_text(error: &AppError) -> String {
    ["quantity", "sku"]
        .iter()
        .find_map(|f| error.field_messages(f).first().cloned())
        .unwrap_or_else(|| error.to_string())
}

/// `/cart`: lines grouped by brand with live prices and availability, quantities to change,
/// and the way to checkout.
#[component]
pub fn CartPage() -> impl IntoView {
    let cart_context = use_cart();
    let version = RwSignal::new(0u32);
    let cart = Resource::new(move || version.get(), |_| get_cart());
    let change = Action::new(move |(sku, quantity): &(String, i64)| {
        update_cart_line(sku.clone(), *quantity)
    });
    Effect::new(move |_| {
        if change.value().get().is_some() {
            version.update(|n| *n += 1);
            cart_context.refresh();
        }
    });
    let failure = move || match change.value().get() {
        Some(Err(error)) => Some(error_text(&error)),
        _ => None,
    };
    view! {
        <Title text="Your cart"/>
        <section class="container page cart">
            <h1>"Your cart"</h1>
            <Show when=move || failure().is_some()>
                <p class="form-alert" role="alert">{failure}</p>
            </Show>
            <Transition fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                {move || cart.get().map(|result| match result {
                    Ok(cart) if cart.brands.is_empty() => view! { <EmptyCart/> }.into_any(),
                    Ok(cart) => view! { <CartContents cart change busy=change.pending()/> }.into_any(),
                    Err(error) => view! { <InlineError error/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn EmptyCart() -> impl IntoView {
    view! {
        <div class="empty-state">
            <p class="empty-state__title">"Your cart is empty"</p>
            <p>"Find something you love: brands launch new pieces every day of the festival."</p>
            <A href="/search" attr:class="button button--primary">"Start shopping"</A>
        </div>
    }
}

#[component]
fn CartContents(
    cart: CartView,
    change: Action<(String, i64), Result<CartView, AppError>>,
    busy: Memo<bool>,
) -> impl IntoView {
    let currency = cart.currency.clone().unwrap_or_default();
    let subtotal = format_amount(cart.quote.subtotal_minor, &currency);
    let discounts =
        crate::checkout::discounts(cart.quote.lines.iter().flat_map(|l| l.adjustments.iter()));
    let money = {
        let currency = currency.clone();
        move |minor: i64| format_amount(minor, &currency)
    };
    // The cart is quoted for standard delivery, which is free: its total is what the items
    // cost after discounts.
    let before_delivery = format_amount(cart.quote.total_minor, &currency);
    let blocked = cart.blocker.clone();
    let parcels = cart.brands.len();
    view! {
        <div class="cart__layout">
            <div class="cart__groups">
                {cart.brands.into_iter().map(|group| {
                    let label = format!("From {}", group.brand_name);
                    let href = format!("/b/{}", group.brand_slug);
                    view! {
                        <section class="cart__brand panel" aria-label=label>
                            <h2 class="cart__brand-name"><A href=href>{group.brand_name}</A></h2>
                            <ul class="cart__lines">
                                {group.lines.into_iter().map(|line| view! { <CartLine line change busy/> }).collect_view()}
                            </ul>
                        </section>
                    }
                }).collect_view()}
            </div>
            <aside class="cart__summary panel" aria-label="Summary">
                <dl class="checkout__totals">
                    <dt>{format!("Items ({})", cart.item_count)}</dt><dd>{subtotal}</dd>
                    <DiscountRows discounts money/>
                    <dt>"Delivery"</dt><dd>{if parcels > 1 { format!("{parcels} parcels, at checkout") } else { "At checkout".to_owned() }}</dd>
                    <dt class="checkout__total">"Subtotal"</dt><dd class="checkout__total">{before_delivery}</dd>
                </dl>
                {blocked.clone().map(|message| view! { <p class="form-alert" role="alert">{message}</p> })}
                {if blocked.is_some() {
                    view! { <button class="button button--primary button--block" type="button" disabled=true>"Check out"</button> }.into_any()
                } else {
                    view! { <A href="/checkout" attr:class="button button--primary button--block">"Check out"</A> }.into_any()
                }}
                <p class="field__hint">"Prices and stock are live: you pay what the catalog says when you place the order."</p>
            </aside>
        </div>
    }
}

#[component]
fn CartLine(
    line: CartLineView,
    change: Action<(String, i64), Result<CartView, AppError>>,
    busy: Memo<bool>,
) -> impl IntoView {
    let sku = StoredValue::new(line.sku.clone());
    let quantity = line.quantity;
    let set = move |quantity: i64| {
        change.dispatch((sku.get_value(), quantity));
    };
    let price = format_amount(line.unit_price_minor, &line.currency);
    let total = format_amount(line.total_minor, &line.currency);
    let group_label = format!("Quantity of {}", line.title);
    let href = format!("/p/{}", line.listing_id);
    let thumb = match line.image_url {
        Some(url) => view! { <img class="cart-line__thumb" src=url alt="" width="72" height="72"/> }.into_any(),
        None => view! { <span class="cart-line__thumb cart-line__thumb--empty" aria-hidden="true"></span> }.into_any(),
    };
    let variant = (!line.variant.is_empty())
        .then(|| view! { <p class="cart-line__variant">{line.variant}</p> });
    let problem = line
        .problem
        .map(|problem| view! { <p class="field__error cart-line__problem">{problem}</p> });
    view! {
        <li class="cart-line" data-sku=line.sku>
            {thumb}
            <div class="cart-line__body">
                <A href=href attr:class="cart-line__title">{line.title}</A>
                {variant}
                <p class="cart-line__price">{price}</p>
                {problem}
                <div class="cart-line__controls">
                    <div class="stepper" role="group" aria-label=group_label>
                        <button class="stepper__button" type="button" aria-label="One fewer" disabled=move || { busy.get() || quantity <= 1 } on:click=move |_| set(quantity - 1)>"−"</button>
                        <span class="stepper__value" aria-live="polite">{quantity}</span>
                        <button class="stepper__button" type="button" aria-label="One more" disabled=move || { busy.get() || quantity >= super::MAX_LINE_QUANTITY } on:click=move |_| set(quantity + 1)>"+"</button>
                    </div>
                    <button class="link-button" type="button" disabled=move || busy.get() on:click=move |_| set(0)>"Remove"</button>
                </div>
            </div>
            <p class="cart-line__total">{total}</p>
        </li>
    }
}

/// An order's discounts, one row each in a totals list: what it is, who funds it, how much.
#[component]
pub fn DiscountRows(
    discounts: Vec<crate::checkout::Discount>,
    money: impl Fn(i64) -> String + Clone + Send + Sync + 'static,
) -> impl IntoView {
    discounts
        .into_iter()
        .map(|d| {
            let funder = match d.funder {
                crate::checkout::Funder::Brand => "from the store",
                crate::checkout::Funder::Platform => "from Gala",
            };
            view! {
                <dt class="checkout__discount" data-testid="discount">{d.label} " " <span class="field__hint">{funder}</span></dt>
                <dd class="checkout__discount">{money(d.amount_minor)}</dd>
            }
        })
        .collect_view()
}
