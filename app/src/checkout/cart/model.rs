//! Cart types shared by the browser and the server.

use serde::{Deserialize, Serialize};

use crate::checkout::Quote;

/// Lines one cart may hold (the same bound as one order).
pub const MAX_CART_LINES: usize = 50;
/// Units of one SKU one cart line may hold (the same bound as one order line).
pub const MAX_LINE_QUANTITY: i64 = 100;

/// One SKU with its live price and availability: a cart line, or the item of a "Buy now".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLineView {
    pub sku: String,
    pub sku_code: String,
    pub listing_id: String,
    pub title: String,
    pub brand_slug: String,
    pub brand_name: String,
    /// The variant's option values ("M / Ivory"); empty for a single-variant listing.
    pub variant: String,
    pub image_url: Option<String>,
    pub unit_price_minor: i64,
    pub currency: String,
    pub quantity: i64,
    /// What the line costs, as the server's quote says.
    pub total_minor: i64,
    /// Units that can be bought right now.
    pub available: i64,
    pub purchase_limit: Option<i32>,
    /// Why this line cannot be bought as it is (sold out, fewer left, over the limit, gone).
    pub problem: Option<String>,
}

/// The lines of one brand: each brand ships its own parcel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartBrandGroup {
    pub brand_slug: String,
    pub brand_name: String,
    pub lines: Vec<CartLineView>,
}

/// A cart as its shopper sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CartView {
    pub brands: Vec<CartBrandGroup>,
    /// Units in all lines.
    pub item_count: i64,
    /// The currency of the first line (a cart in several currencies cannot check out).
    pub currency: Option<String>,
    /// What the items cost before discounts and delivery (the quote's subtotal).
    pub subtotal_minor: i64,
    /// The server's price quote of the lines in that currency.
    pub quote: Quote,
    /// What stops checking out as it is, if anything.
    pub blocker: Option<String>,
}

impl CartView {
    /// Every line, brand by brand.
    pub fn lines(&self) -> impl Iterator<Item = &CartLineView> {
        self.brands.iter().flat_map(|b| b.lines.iter())
    }

    /// Groups `lines` by brand (in first-seen order), with the server's `quote` of them.
    pub fn from_lines(lines: Vec<CartLineView>, quote: Quote) -> Self {
        let mut brands: Vec<CartBrandGroup> = Vec::new();
        for line in lines {
            match brands.iter_mut().find(|b| b.brand_slug == line.brand_slug) {
                Some(group) => group.lines.push(line),
                None => brands.push(CartBrandGroup {
                    brand_slug: line.brand_slug.clone(),
                    brand_name: line.brand_name.clone(),
                    lines: vec![line],
                }),
            }
        }
        let mut cart = CartView {
            brands,
            subtotal_minor: quote.subtotal_minor,
            quote,
            ..Default::default()
        };
        let currency = cart.lines().next().map(|l| l.currency.clone());
        cart.currency = currency;
        cart.item_count = cart.lines().map(|l| l.quantity).sum();
        cart.blocker = if cart
            .lines()
            .any(|l| Some(&l.currency) != cart.currency.as_ref())
        {
            Some("Items priced in different currencies must be ordered separately.".to_owned())
        } else if cart.lines().any(|l| l.problem.is_some()) {
            Some("Some items can't be bought as they are: see the notes below them.".to_owned())
        } else {
            None
        };
        cart
    }
}

/// What the checkout page buys: the cart, or one item ("Buy now").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutDraft {
    pub cart: CartView,
    /// True when these are the cart's lines (they leave the cart once ordered).
    pub from_cart: bool,
    /// The signed-in buyer's email, to prefill.
    pub email: Option<String>,
    /// The signed-in buyer's saved cards, for one-tap paying.
    pub saved_cards: Vec<SavedCard>,
    /// The signed-in buyer's coupons ready for use, to choose from.
    pub coupons: Vec<crate::promotions::CouponView>,
    /// The signed-in buyer's red envelopes ready for use, to choose from.
    pub envelopes: Vec<crate::promotions::EnvelopeView>,
    /// What express delivery costs per brand parcel, in the cart's currency.
    pub express_fee_minor: i64,
    /// A fresh idempotency key for this checkout: pressing "Pay" again (a double tap, a retry
    /// after a network error) sends the same key, so it cannot make a second order.
    pub checkout_key: String,
}

/// A card kept by the payment provider for a signed-in buyer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedCard {
    pub id: String,
    pub card_brand: String,
    pub last4: String,
    pub exp_month: i32,
    pub exp_year: i32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(brand: &str, price: i64, quantity: i64, currency: &str) -> CartLineView {
        CartLineView {
            sku: format!("{brand}-{price}"),
            sku_code: "C".into(),
            listing_id: "L".into(),
            title: "T".into(),
            brand_slug: brand.into(),
            brand_name: brand.to_uppercase(),
            variant: String::new(),
            image_url: None,
            unit_price_minor: price,
            currency: currency.into(),
            quantity,
            total_minor: price * quantity,
            available: 10,
            purchase_limit: None,
            problem: None,
        }
    }

    #[test]
    fn groups_by_brand_in_first_seen_order() {
        let cart = CartView::from_lines(
            vec![
                line("a", 100, 2, "CNY"),
                line("b", 50, 1, "CNY"),
                line("a", 10, 3, "CNY"),
            ],
            Quote::default(),
        );
        assert_eq!(cart.brands.len(), 2);
        assert_eq!(cart.brands[0].lines.len(), 2);
        assert_eq!(cart.item_count, 6);
        assert_eq!(cart.blocker, None);
    }

    #[test]
    fn mixed_currencies_or_problems_block_checkout() {
        let cart = CartView::from_lines(
            vec![line("a", 1, 1, "CNY"), line("b", 1, 1, "USD")],
            Quote::default(),
        );
        assert!(cart.blocker.unwrap().contains("currencies"));
        let mut sold_out = line("a", 1, 1, "CNY");
        sold_out.problem = Some("Sold out".into());
        assert!(CartView::from_lines(vec![sold_out], Quote::default())
            .blocker
            .is_some());
    }
}
