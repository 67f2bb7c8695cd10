//! The brand dashboard's catalog pages: the listings list, the listing editor (details,
//! options, variants), publishing, and stock per location with its ledger.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_params_map, use_query_map},
};

use super::{
    brand_listing, brand_listings, catalog_import, catalog_imports, listing_stock, sku_movements,
    stock_locations, AddStockLocation, ChangeStock, CreateListing, ImportJob, ImportProblem,
    ImportStatus, ListingCard, ListingDetail, ListingInput, ListingOption, ListingStatus,
    MakeListingCover, RemoveListingImage, SetListingStatus, StockLevelInfo, StockLocationInfo,
    StockMovementInfo, UpdateListing, VariantInput, CATEGORIES,
};
use crate::core::money::{self, amount_input, format_amount, CURRENCIES};
use crate::core::ui::{
    field_errors, BoundField, ErrorList, Field, FilterTab, FormAlert, InlineError, SignInPrompt,
    Skeleton,
};
use crate::core::{AppError, FieldErrors};
use crate::media::UploadOutcome;

fn status_badge(status: ListingStatus) -> impl IntoView {
    let (class, label) = match status {
        ListingStatus::Draft => ("badge badge--warning", "Draft"),
        ListingStatus::Published => ("badge badge--success", "Published"),
        ListingStatus::Archived => ("badge", "Archived"),
    };
    view! { <span class=class>{label}</span> }
}

/// "¥129.00" or "¥99.00 – ¥129.00".
pub fn price_range(card: &ListingCard) -> String {
    if card.price_min_minor == card.price_max_minor {
        format_amount(card.price_min_minor, &card.currency)
    } else {
        format!(
            "{} – {}",
            format_amount(card.price_min_minor, &card.currency),
            format_amount(card.price_max_minor, &card.currency)
        )
    }
}

fn slug_param() -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || params.get().get("slug").unwrap_or_default()
}

/// `/brand/:slug/listings`: the brand's listings, filterable by status.
#[component]
pub fn BrandListingsPage() -> impl IntoView {
    let slug = slug_param();
    let query = use_query_map();
    let status = move || {
        query
            .get()
            .get("status")
            .and_then(|s| ListingStatus::parse(&s))
    };
    let (after, set_after) = signal(None::<String>);
    let listings = Resource::new(
        move || (slug(), status(), after.get()),
        |(slug, status, after)| brand_listings(slug, status, after),
    );
    let tab = move |label: &'static str, value: Option<ListingStatus>| {
        let href = Signal::derive(move || match value {
            Some(s) => format!("/brand/{}/listings?status={}", slug(), s.as_str()),
            None => format!("/brand/{}/listings", slug()),
        });
        view! { <FilterTab label href current=Signal::derive(move || status() == value)/> }
    };
    view! {
        <Title text="Listings"/>
        <section class="container page">
            <div class="page__head">
                <h1>"Listings"</h1>
                <div class="button-row">
                    <A href=move || format!("/brand/{}/imports", slug()) attr:class="button button--ghost">"Import / export"</A>
                    <A href=move || format!("/brand/{}/listings/new", slug()) attr:class="button button--primary">"New listing"</A>
                </div>
            </div>
            <crate::brands::DashboardNav slug=slug() current="listings"/>
            <nav aria-label="Listing status">
                <ul class="filter-tabs">
                    {tab("All", None)}
                    {tab("Drafts", Some(ListingStatus::Draft))}
                    {tab("Published", Some(ListingStatus::Published))}
                    {tab("Archived", Some(ListingStatus::Archived))}
                </ul>
            </nav>
            <Transition fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                {move || listings.get().map(|result| match result {
                    Ok(page) if page.items.is_empty() => view! {
                        <div class="notice">
                            <h2 class="notice__title">"No listings here yet"</h2>
                            <p>"Create a listing with its variants, add stock, then publish it to the storefront."</p>
                        </div>
                    }.into_any(),
                    Ok(page) => {
                        let next = page.next_cursor.clone();
                        view! {
                            <ul class="listing-rows">
                                {page.items.into_iter().map(|card| {
                                    let href = format!("/brand/{}/listings/{}", slug(), card.id);
                                    let price = price_range(&card);
                                    view! {
                                        <li>
                                            <A href=href attr:class="listing-row">
                                                <span class="listing-row__title">{card.title.clone()}</span>
                                                <span class="listing-row__meta">
                                                    {status_badge(card.status)}
                                                    <span>{price}</span>
                                                    <span>{format!("{} available", card.available)}</span>
                                                </span>
                                            </A>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            {next.map(|cursor| view! {
                                <button class="button button--secondary" type="button" on:click=move |_| set_after.set(Some(cursor.clone()))>"Next page"</button>
                            })}
                        }.into_any()
                    }
                    Err(AppError::Unauthorized) => view! { <SignInPrompt message="Sign in to manage listings." next="/brands"/> }.into_any(),
                    Err(error) => view! { <InlineError error/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

/// One option row of the editor.
#[derive(Clone, Copy)]
struct OptionRow {
    key: usize,
    name: RwSignal<String>,
    /// Comma-separated values, as typed.
    values: RwSignal<String>,
}

/// One variant row of the editor.
#[derive(Clone, Copy)]
struct VariantRow {
    key: usize,
    code: RwSignal<String>,
    /// The chosen value of each option, by option position.
    picks: RwSignal<Vec<String>>,
    price: RwSignal<String>,
    compare_at: RwSignal<String>,
    weight: RwSignal<String>,
    barcode: RwSignal<String>,
    purchase_limit: RwSignal<String>,
}

/// The editor's state: the listing as the person is writing it.
#[derive(Clone, Copy)]
struct Editor {
    title: RwSignal<String>,
    description: RwSignal<String>,
    category: RwSignal<String>,
    currency: RwSignal<String>,
    options: RwSignal<Vec<OptionRow>>,
    variants: RwSignal<Vec<VariantRow>>,
    next_key: StoredValue<usize>,
}

fn split_values(text: &str) -> Vec<String> {
    text.split(',')
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .collect()
}

impl Editor {
    fn new(existing: Option<&ListingDetail>) -> Self {
        let editor = Editor {
            title: RwSignal::new(existing.map(|l| l.title.clone()).unwrap_or_default()),
            description: RwSignal::new(existing.map(|l| l.description.clone()).unwrap_or_default()),
            category: RwSignal::new(
                existing.map_or_else(|| CATEGORIES[0].to_owned(), |l| l.category.clone()),
            ),
            currency: RwSignal::new(
                existing.map_or_else(|| "CNY".to_owned(), |l| l.currency.clone()),
            ),
            options: RwSignal::new(Vec::new()),
            variants: RwSignal::new(Vec::new()),
            next_key: StoredValue::new(0),
        };
        match existing {
            Some(listing) => {
                for option in &listing.options {
                    editor.add_option(&option.name, &option.values.join(", "));
                }
                for v in &listing.variants {
                    editor.add_variant(VariantInput {
                        code: v.code.clone(),
                        option_values: v.option_values.clone(),
                        price_minor: v.price_minor,
                        compare_at_minor: v.compare_at_minor,
                        weight_grams: v.weight_grams,
                        barcode: v.barcode.clone(),
                        purchase_limit: v.purchase_limit,
                    });
                }
            }
            None => editor.add_variant(VariantInput::default()),
        }
        editor
    }

    fn key(&self) -> usize {
        let key = self.next_key.get_value();
        self.next_key.set_value(key + 1);
        key
    }

    fn add_option(&self, name: &str, values: &str) {
        let row = OptionRow {
            key: self.key(),
            name: RwSignal::new(name.to_owned()),
            values: RwSignal::new(values.to_owned()),
        };
        self.options.update(|rows| rows.push(row));
    }

    fn add_variant(&self, v: VariantInput) {
        let currency = self.currency.get_untracked();
        let money = |minor: i64| {
            if minor > 0 {
                amount_input(minor, &currency)
            } else {
                String::new()
            }
        };
        let row = VariantRow {
            key: self.key(),
            code: RwSignal::new(v.code),
            picks: RwSignal::new(v.option_values),
            price: RwSignal::new(money(v.price_minor)),
            compare_at: RwSignal::new(v.compare_at_minor.map(money).unwrap_or_default()),
            weight: RwSignal::new(if v.weight_grams > 0 {
                v.weight_grams.to_string()
            } else {
                String::new()
            }),
            barcode: RwSignal::new(v.barcode.unwrap_or_default()),
            purchase_limit: RwSignal::new(
                v.purchase_limit.map(|l| l.to_string()).unwrap_or_default(),
            ),
        };
        self.variants.update(|rows| rows.push(row));
    }

    /// The listing as typed, or the fields that could not be read (prices, weights).
    fn input(&self) -> Result<ListingInput, FieldErrors> {
        let currency = self.currency.get();
        let options: Vec<ListingOption> = self
            .options
            .get()
            .iter()
            .map(|o| ListingOption {
                name: o.name.get(),
                values: split_values(&o.values.get()),
            })
            .collect();
        let mut errors = FieldErrors::new();
        let mut variants = Vec::new();
        for (i, v) in self.variants.get().iter().enumerate() {
            let price = money::parse_amount(&v.price.get(), &currency);
            if price.is_none() {
                errors.insert(
                    format!("variants.{i}.price_minor"),
                    vec!["Enter a price like 129.90.".into()],
                );
            }
            let compare_text = v.compare_at.get();
            let compare_at = if compare_text.trim().is_empty() {
                None
            } else {
                let parsed = money::parse_amount(&compare_text, &currency);
                if parsed.is_none() {
                    errors.insert(
                        format!("variants.{i}.compare_at_minor"),
                        vec!["Enter a price like 159.00, or leave it empty.".into()],
                    );
                }
                parsed
            };
            let weight_text = v.weight.get();
            let weight = if weight_text.trim().is_empty() {
                Some(0)
            } else {
                weight_text.trim().parse::<i32>().ok()
            };
            if weight.is_none() {
                errors.insert(
                    format!("variants.{i}.weight_grams"),
                    vec!["Enter the weight in whole grams.".into()],
                );
            }
            let limit_text = v.purchase_limit.get();
            let purchase_limit = if limit_text.trim().is_empty() {
                None
            } else {
                let parsed = limit_text.trim().parse::<i32>().ok();
                if parsed.is_none() {
                    errors.insert(
                        format!("variants.{i}.purchase_limit"),
                        vec!["Enter a whole number of units, or leave it empty.".into()],
                    );
                }
                parsed
            };
            let mut picks = v.picks.get();
            picks.resize(options.len(), String::new());
            variants.push(VariantInput {
                code: v.code.get(),
                option_values: picks,
                price_minor: price.unwrap_or(0),
                compare_at_minor: compare_at,
                weight_grams: weight.unwrap_or(0),
                barcode: Some(v.barcode.get()).filter(|b| !b.trim().is_empty()),
                purchase_limit,
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ListingInput {
            title: self.title.get(),
            description: self.description.get(),
            category: self.category.get(),
            currency,
            options,
            variants,
        })
    }
}

/// `/brand/:slug/listings/new`: a new listing.
#[component]
pub fn NewListingPage() -> impl IntoView {
    let slug = slug_param();
    let create = ServerAction::<CreateListing>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(listing)) = create.value().get() {
            navigate(
                &format!(
                    "/brand/{}/listings/{}?saved=created",
                    listing.brand_slug, listing.id
                ),
                Default::default(),
            );
        }
    });
    let result: Signal<Option<Result<ListingDetail, AppError>>> = create.value().into();
    let editor = Editor::new(None);
    let submit = Callback::new(move |input: ListingInput| {
        create.dispatch(CreateListing {
            slug: slug(),
            input,
        });
    });
    view! {
        <Title text="New listing"/>
        <section class="container page">
            <div class="page__head"><h1>"New listing"</h1></div>
            <crate::brands::DashboardNav slug=slug() current="listings"/>
            <ListingEditor editor result submit pending=create.pending() submit_label="Create listing"/>
        </section>
    }
}

/// `/brand/:slug/listings/:id`: edit a listing, publish it, manage its stock.
#[component]
pub fn EditListingPage() -> impl IntoView {
    let slug = slug_param();
    let params = use_params_map();
    let id = move || params.get().get("id").unwrap_or_default();
    let update = ServerAction::<UpdateListing>::new();
    let set_status = ServerAction::<SetListingStatus>::new();
    let listing = Resource::new(
        move || {
            (
                slug(),
                id(),
                update.version().get(),
                set_status.version().get(),
            )
        },
        |(slug, id, ..)| brand_listing(slug, id),
    );
    let stock = StockData::new(slug, id, listing);
    let update_result: Signal<Option<Result<ListingDetail, AppError>>> = update.value().into();
    let status_result: Signal<Option<Result<ListingDetail, AppError>>> = set_status.value().into();
    let query = use_query_map();
    view! {
        <Title text="Edit listing"/>
        <section class="container page">
            <Transition fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                {move || listing.get().map(|result| match result {
                    Ok(detail) => {
                        let editor = Editor::new(Some(&detail));
                        let submit = Callback::new(move |input: ListingInput| {
                            update.dispatch(UpdateListing { slug: slug(), id: id(), input });
                        });
                        let status = detail.status;
                        let status_button = move |target: ListingStatus, label: &'static str, class: &'static str| {
                            (status != target).then(|| view! {
                                <button class=class type="button" disabled=move || set_status.pending().get()
                                    on:click=move |_| { set_status.dispatch(SetListingStatus { slug: slug(), id: id(), status: target }); }>
                                    {label}
                                </button>
                            })
                        };
                        view! {
                            <div class="page__head">
                                <h1>{detail.title.clone()}</h1>
                                {status_badge(detail.status)}
                            </div>
                            <crate::brands::DashboardNav slug=slug() current="listings"/>
                            {move || (query.get().get("saved").as_deref() == Some("created")).then(|| view! {
                                <p class="notice notice--success" role="status">"Listing created as a draft. Add stock, then publish it."</p>
                            })}
                            <div class="panel listing-status">
                                <h2 class="panel__title">"Storefront"</h2>
                                <FormAlert result=status_result/>
                                <p class="page__lead">{match detail.status {
                                    ListingStatus::Draft => "Only your team sees this listing. Publish it to put it on the storefront.",
                                    ListingStatus::Published => "Shoppers can find and buy this listing.",
                                    ListingStatus::Archived => "Archived: hidden from shoppers, kept for orders and history.",
                                }}</p>
                                <div class="button-row">
                                    {status_button(ListingStatus::Published, "Publish", "button button--primary")}
                                    {status_button(ListingStatus::Draft, "Back to draft", "button button--secondary")}
                                    {status_button(ListingStatus::Archived, "Archive", "button button--ghost")}
                                    {(detail.status == ListingStatus::Published).then(|| view! {
                                        <A href=format!("/p/{}", detail.id) attr:class="button button--ghost">"View in store"</A>
                                    })}
                                </div>
                            </div>
                            <PhotosPanel detail=detail.clone()/>
                            <StockPanel detail=detail.clone() stock/>
                            <Show when=move || matches!(update_result.get(), Some(Ok(_)))>
                                <p class="notice notice--success" role="status">"Changes saved."</p>
                            </Show>
                            <ListingEditor editor result=update_result submit pending=update.pending() submit_label="Save changes"/>
                        }.into_any()
                    }
                    Err(AppError::Unauthorized) => view! { <SignInPrompt message="Sign in to manage listings." next="/brands"/> }.into_any(),
                    Err(error) => view! { <InlineError error/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

/// The listing form: details, options and variants. Prices are typed as amounts and sent in
/// minor units; the server validates everything again.
#[component]
fn ListingEditor(
    editor: Editor,
    result: Signal<Option<Result<ListingDetail, AppError>>>,
    submit: Callback<ListingInput>,
    pending: Memo<bool>,
    submit_label: &'static str,
) -> impl IntoView {
    let client_errors = RwSignal::new(FieldErrors::new());
    let errors = move |field: String| {
        Signal::derive(move || {
            client_errors
                .with(|e| e.get(&field).cloned())
                .or_else(|| {
                    result.with(|r| match r {
                        Some(Err(err)) => Some(err.field_messages(&field).to_vec()),
                        _ => None,
                    })
                })
                .unwrap_or_default()
        })
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match editor.input() {
            Ok(input) => {
                client_errors.set(FieldErrors::new());
                submit.run(input);
            }
            Err(found) => client_errors.set(found),
        }
    };
    let option_names = move || {
        editor
            .options
            .get()
            .iter()
            .map(|o| (o.name.get(), split_values(&o.values.get())))
            .collect::<Vec<_>>()
    };
    view! {
        <form class="form listing-editor" on:submit=on_submit novalidate=true>
            <FormAlert result/>
            <div class="panel">
                <h2 class="panel__title">"Details"</h2>
                <BoundField id="listing-title" label="Title" value=editor.title errors=errors("title".into()) required=true/>
                <div class="field" class:field--invalid=move || !errors("category".into()).get().is_empty()>
                    <label class="field__label" for="listing-category">"Category"</label>
                    <select class="field__input" id="listing-category" prop:value=move || editor.category.get() on:change=move |ev| editor.category.set(event_target_value(&ev))>
                        {CATEGORIES.iter().map(|c| view! { <option value=*c selected=move || editor.category.get() == *c>{c.to_string()}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field" class:field--invalid=move || !errors("description".into()).get().is_empty()>
                    <label class="field__label" for="listing-description">"Description"</label>
                    <p class="field__hint" id="listing-description-hint">"Markdown: **bold**, *italic*, lists and links. No HTML."</p>
                    <textarea class="field__input field__input--area" id="listing-description" rows="6" aria-describedby="listing-description-hint"
                        prop:value=move || editor.description.get() on:input=move |ev| editor.description.set(event_target_value(&ev))></textarea>
                    <ErrorList errors=errors("description".into())/>
                </div>
                <div class="field">
                    <label class="field__label" for="listing-currency">"Currency"</label>
                    <select class="field__input" id="listing-currency" on:change=move |ev| editor.currency.set(event_target_value(&ev))>
                        {CURRENCIES.iter().map(|(code, ..)| view! { <option value=*code selected=move || editor.currency.get() == *code>{code.to_string()}</option> }).collect_view()}
                    </select>
                </div>
            </div>

            <div class="panel">
                <h2 class="panel__title">"Options"</h2>
                <p class="page__lead">"Up to three, like Size (S, M, L) or Colour (Ivory, Black). Leave empty for a single-variant product."</p>
                <For each=move || editor.options.get() key=|row| row.key let:row>
                    {
                        let index = move || editor.options.with(|rows| rows.iter().position(|r| r.key == row.key).unwrap_or(0));
                        view! {
                            <div class="option-row">
                                <BoundField id=format!("option-{}-name", row.key) label="Option name" value=row.name errors=Signal::derive(move || errors(format!("options.{}.name", index())).get())/>
                                <BoundField id=format!("option-{}-values", row.key) label="Values, separated by commas" value=row.values errors=Signal::derive(move || errors(format!("options.{}.values", index())).get())/>
                                <button class="button button--ghost" type="button" on:click=move |_| editor.options.update(|rows| rows.retain(|r| r.key != row.key))>"Remove option"</button>
                            </div>
                        }
                    }
                </For>
                <ErrorList errors=errors("options".into())/>
                <Show when=move || editor.options.with(Vec::len) < 3>
                    <button class="button button--secondary" type="button" on:click=move |_| editor.add_option("", "")>"Add option"</button>
                </Show>
            </div>

            <div class="panel">
                <h2 class="panel__title">"Variants"</h2>
                <p class="page__lead">"Each variant is a SKU with its own code and price; stock is kept per variant."</p>
                <ErrorList errors=errors("variants".into())/>
                <For each=move || editor.variants.get() key=|row| row.key let:row>
                    {
                        let index = move || editor.variants.with(|rows| rows.iter().position(|r| r.key == row.key).unwrap_or(0));
                        let field = move |name: &'static str| Signal::derive(move || errors(format!("variants.{}.{name}", index())).get());
                        let id = move |name: &str| format!("variant-{}-{name}", row.key);
                        view! {
                            <fieldset class="variant-card">
                                <legend class="variant-card__title">{move || format!("Variant {}", index() + 1)}</legend>
                                <BoundField id=id("code") label="SKU code" value=row.code errors=field("code") required=true/>
                                {move || option_names().into_iter().enumerate().map(|(i, (name, values))| {
                                    let select_id = format!("variant-{}-option-{i}", row.key);
                                    view! {
                                        <div class="field">
                                            <label class="field__label" for=select_id.clone()>{if name.is_empty() { format!("Option {}", i + 1) } else { name }}</label>
                                            <select class="field__input" id=select_id on:change=move |ev| {
                                                let value = event_target_value(&ev);
                                                row.picks.update(|picks| { picks.resize(i + 1, String::new()); picks[i] = value; });
                                            }>
                                                <option value="">"Choose…"</option>
                                                {values.into_iter().map(|v| {
                                                    let selected = row.picks.with_untracked(|p| p.get(i) == Some(&v));
                                                    view! { <option value=v.clone() selected=selected>{v.clone()}</option> }
                                                }).collect_view()}
                                            </select>
                                        </div>
                                    }
                                }).collect_view()}
                                <ErrorList errors=field("option_values")/>
                                <div class="field-grid">
                                    <BoundField id=id("price") label="Price" inputmode="decimal" value=row.price errors=field("price_minor") required=true/>
                                    <BoundField id=id("compare") label="Was price (optional)" inputmode="decimal" value=row.compare_at errors=field("compare_at_minor")/>
                                    <BoundField id=id("weight") label="Weight in grams" inputmode="numeric" value=row.weight errors=field("weight_grams")/>
                                    <BoundField id=id("barcode") label="Barcode (optional)" inputmode="numeric" value=row.barcode errors=field("barcode")/>
                                    <BoundField id=id("limit") label="Limit per buyer (optional)" inputmode="numeric" value=row.purchase_limit errors=field("purchase_limit")/>
                                </div>
                                <Show when=move || editor.variants.with(|rows| rows.len() > 1)>
                                    <button class="button button--ghost" type="button" on:click=move |_| editor.variants.update(|rows| rows.retain(|r| r.key != row.key))>"Remove variant"</button>
                                </Show>
                            </fieldset>
                        }
                    }
                </For>
                <button class="button button--secondary" type="button" on:click=move |_| editor.add_variant(VariantInput::default())>"Add variant"</button>
            </div>
            <button class="button button--primary button--block" type="submit" disabled=move || pending.get()>
                {move || if pending.get() { "Saving…" } else { submit_label }}
            </button>
        </form>
    }
}

/// The listing's photos: thumbnails with "make cover" and "remove", and a plain multipart
/// upload form (`/brand/<slug>/listings/<id>/images`, which redirects back with the outcome).
#[component]
fn PhotosPanel(detail: ListingDetail) -> impl IntoView {
    let remove = ServerAction::<RemoveListingImage>::new();
    let cover = ServerAction::<MakeListingCover>::new();
    let (slug, id) = (detail.brand_slug.clone(), detail.id.clone());
    let images = RwSignal::new(detail.images.clone());
    Effect::new(move |_| {
        for listing in [remove.value().get(), cover.value().get()]
            .into_iter()
            .flatten()
            .flatten()
        {
            images.set(listing.images);
        }
    });
    let input_id = format!("image-{id}");
    view! {
        <div class="panel">
            <h2 class="panel__title">"Photos"</h2>
            <UploadOutcome key="image" saved="Photo added."/>
            {move || if images.with(Vec::is_empty) {
                view! { <p class="page__lead">"No photos yet. The first photo is the cover shoppers see in search."</p> }.into_any()
            } else {
                let (slug, id) = (slug.clone(), id.clone());
                view! {
                    <ul class="photo-grid">
                        {images.get().into_iter().enumerate().map(|(i, image)| {
                            let (slug, id) = (slug.clone(), id.clone());
                            view! {
                                <li class="photo-grid__item">
                                    <img class="photo-grid__image" src=image.thumb_url.clone() alt=format!("Photo {}", i + 1)/>
                                    {if i == 0 {
                                        view! { <span class="badge badge--success">"Cover"</span> }.into_any()
                                    } else {
                                        let (slug, id, image_id) = (slug.clone(), id.clone(), image.id.clone());
                                        view! {
                                            <button class="button button--ghost" type="button" on:click=move |_| {
                                                cover.dispatch(MakeListingCover { slug: slug.clone(), id: id.clone(), image_id: image_id.clone() });
                                            }>"Make cover"</button>
                                        }.into_any()
                                    }}
                                    <button class="button button--ghost" type="button" on:click={
                                        let image_id = image.id.clone();
                                        move |_| { remove.dispatch(RemoveListingImage { slug: slug.clone(), id: id.clone(), image_id: image_id.clone() }); }
                                    }>"Remove"</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <form class="upload-form" method="post" action=format!("/brand/{}/listings/{}/images", detail.brand_slug, detail.id) enctype="multipart/form-data">
                <div class="field">
                    <label class="field__label" for=input_id.clone()>"Add a photo"</label>
                    <p class="field__hint" id=format!("{input_id}-hint")>"PNG, JPEG or WebP, up to 1.5 MB; up to 8 photos. Square photos look best."</p>
                    <input class="field__input" type="file" id=input_id.clone() name="image" accept="image/png,image/jpeg,image/webp" required=true aria-describedby=format!("{input_id}-hint")/>
                </div>
                <button class="button button--secondary" type="submit">"Upload photo"</button>
            </form>
        </div>
    }
}

/// What the stock panel loads and changes, made by the listing's page, not by the panel its
/// Transition renders (README, "Architecture": where pages create their resources).
#[derive(Clone, Copy)]
struct StockData {
    change: ServerAction<ChangeStock>,
    add_location: ServerAction<AddStockLocation>,
    levels: Resource<Result<Vec<StockLevelInfo>, AppError>>,
    locations: Resource<Result<Vec<StockLocationInfo>, AppError>>,
    /// The variant whose ledger is shown; `None`: the listing's first.
    ledger_code: RwSignal<Option<String>>,
    ledger: Resource<Result<Vec<StockMovementInfo>, AppError>>,
}

impl StockData {
    fn new(
        slug: impl Fn() -> String + Copy + Send + Sync + 'static,
        id: impl Fn() -> String + Copy + Send + Sync + 'static,
        listing: Resource<Result<ListingDetail, AppError>>,
    ) -> Self {
        let change = ServerAction::<ChangeStock>::new();
        let add_location = ServerAction::<AddStockLocation>::new();
        let ledger_code = RwSignal::new(None::<String>);
        StockData {
            change,
            add_location,
            levels: Resource::new(
                move || (slug(), id(), change.version().get()),
                |(slug, id, _)| listing_stock(slug, id),
            ),
            locations: Resource::new(
                move || (slug(), add_location.version().get()),
                |(slug, _)| stock_locations(slug),
            ),
            ledger_code,
            ledger: Resource::new(
                move || (slug(), ledger_code.get(), change.version().get()),
                move |(slug, code, _)| async move {
                    // The chosen variant while the listing still has it, else its first.
                    let codes: Vec<String> = listing
                        .await
                        .map(|l| l.variants.into_iter().map(|v| v.code).collect())
                        .unwrap_or_default();
                    let code = code
                        .filter(|code| codes.contains(code))
                        .or_else(|| codes.first().cloned())
                        .unwrap_or_default();
                    sku_movements(slug, code).await
                },
            ),
        }
    }
}

/// Stock of each variant per location, the form to receive / adjust / transfer, and the
/// latest ledger rows of a variant.
#[component]
fn StockPanel(detail: ListingDetail, stock: StockData) -> impl IntoView {
    let StockData {
        change,
        add_location,
        levels,
        locations,
        ledger_code,
        ledger,
    } = stock;
    let slug = StoredValue::new(detail.brand_slug.clone());
    let change_result: Signal<Option<Result<Vec<StockLevelInfo>, AppError>>> =
        change.value().into();
    let location_result: Signal<Option<Result<StockLocationInfo, AppError>>> =
        add_location.value().into();
    let codes: Vec<String> = detail.variants.iter().map(|v| v.code.clone()).collect();
    let variants = StoredValue::new(detail.variants.clone());
    view! {
        <div class="panel">
            <h2 class="panel__title">"Stock"</h2>
            <Transition fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                {move || Suspend::new(async move {
                    let levels = levels.await;
                    let locations = locations.await;
                    match (levels, locations) {
                        (Ok(levels), Ok(locations)) => view! {
                            <table class="stock-table">
                                <caption class="visually-hidden">"Units per variant and location"</caption>
                                <thead>
                                    <tr><th scope="col">"Variant"</th><th scope="col">"Location"</th><th scope="col">"On hand"</th><th scope="col">"Reserved"</th><th scope="col">"Available"</th></tr>
                                </thead>
                                <tbody>
                                    {variants.get_value().into_iter().flat_map(|v| {
                                        let rows: Vec<StockLevelInfo> = levels.iter().filter(|l| l.sku_code == v.code).cloned().collect();
                                        if rows.is_empty() {
                                            vec![view! { <tr><th scope="row">{v.code.clone()}</th><td>"—"</td><td>"0"</td><td>"0"</td><td>"0"</td></tr> }.into_any()]
                                        } else {
                                            rows.into_iter().map(|l| view! {
                                                <tr><th scope="row">{l.sku_code}</th><td>{l.location_name}</td><td>{l.on_hand}</td><td>{l.reserved}</td><td>{l.available}</td></tr>
                                            }.into_any()).collect()
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <ActionForm action=change attr:class="form stock-form">
                                <FormAlert result=change_result/>
                                <input type="hidden" name="slug" value=slug.get_value()/>
                                <div class="field-grid">
                                    <div class="field">
                                        <label class="field__label" for="stock-kind">"Change"</label>
                                        <select class="field__input" id="stock-kind" name="change[kind]">
                                            <option value="receive">"Receive goods"</option>
                                            <option value="adjust">"Adjust count (+/−)"</option>
                                            <option value="transfer">"Transfer"</option>
                                        </select>
                                    </div>
                                    <div class="field">
                                        <label class="field__label" for="stock-sku">"Variant"</label>
                                        <select class="field__input" id="stock-sku" name="change[sku_code]">
                                            {variants.get_value().into_iter().map(|v| view! { <option value=v.code.clone()>{v.code.clone()}</option> }).collect_view()}
                                        </select>
                                    </div>
                                    <div class="field">
                                        <label class="field__label" for="stock-location">"Location"</label>
                                        <select class="field__input" id="stock-location" name="change[location_id]">
                                            {locations.iter().map(|l| view! { <option value=l.id.clone()>{l.name.clone()}</option> }).collect_view()}
                                        </select>
                                    </div>
                                    {(locations.len() > 1).then(|| view! {
                                        <div class="field">
                                            <label class="field__label" for="stock-to">"To (transfers)"</label>
                                            <select class="field__input" id="stock-to" name="change[to_location_id]">
                                                {locations.iter().rev().map(|l| view! { <option value=l.id.clone()>{l.name.clone()}</option> }).collect_view()}
                                            </select>
                                        </div>
                                    })}
                                    <Field name="change[quantity]" label="Units" kind="number" errors=field_errors(change_result, "quantity")/>
                                    <Field name="change[reason]" label="Reason (optional)" required=false errors=field_errors(change_result, "reason")/>
                                </div>
                                <button class="button button--primary" type="submit" disabled=move || change.pending().get()>"Apply"</button>
                            </ActionForm>
                            <details class="stock-more">
                                <summary>"Add a location"</summary>
                                <ActionForm action=add_location attr:class="form">
                                    <FormAlert result=location_result/>
                                    <input type="hidden" name="slug" value=slug.get_value()/>
                                    <Field name="name" label="Location name" hint="A warehouse or store that holds stock." errors=field_errors(location_result, "name")/>
                                    <button class="button button--secondary" type="submit">"Add location"</button>
                                </ActionForm>
                            </details>
                        }.into_any(),
                        (Err(error), _) | (_, Err(error)) => view! { <InlineError error/> }.into_any(),
                    }
                })}
            </Transition>
            <h3>"Ledger"</h3>
            <div class="field">
                <label class="field__label" for="ledger-sku">"Variant"</label>
                // Shows the variant whose ledger is listed, also after a save re-renders the panel.
                <select class="field__input" id="ledger-sku" on:change=move |ev| ledger_code.set(Some(event_target_value(&ev)))>
                    {codes.iter().map(|c| {
                        let code = c.clone();
                        view! { <option value=c.clone() prop:selected=move || ledger_code.get().as_deref() == Some(code.as_str())>{c.clone()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <Transition fallback=|| view! { <Skeleton class="skeleton--line"/> }>
                {move || ledger.get().map(|result| match result {
                    Ok(rows) if rows.is_empty() => view! { <p class="page__lead">"No stock movements yet."</p> }.into_any(),
                    Ok(rows) => view! {
                        <ul class="ledger">
                            {rows.into_iter().map(|m| view! {
                                <li class="ledger__row">
                                    <span class="ledger__kind">{m.kind.replace('_', " ")}</span>
                                    <span class="ledger__delta">{format!("{:+}", m.on_hand_delta)}</span>
                                    <span class="ledger__meta">{format!("{} · {} · {}", m.location_name, m.reason, m.created_at.format("%Y-%m-%d %H:%M UTC"))}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <InlineError error/> }.into_any(),
                })}
            </Transition>
        </div>
    }
}

/// `/brand/:slug/imports`: upload a catalog CSV, see recent imports, export the catalog.
#[component]
pub fn ImportsPage() -> impl IntoView {
    let slug = slug_param();
    let imports = Resource::new(slug, catalog_imports);
    let query = use_query_map();
    let problem = move || {
        query.get().get("import_error").map(|code| {
            ImportProblem::parse(&code)
                .unwrap_or(ImportProblem::NotCsv)
                .message()
        })
    };
    view! {
        <Title text="Import listings"/>
        <section class="container page">
            <div class="page__head"><h1>"Import and export"</h1></div>
            <crate::brands::DashboardNav slug=slug() current="listings"/>
            <div class="panel">
                <h2 class="panel__title">"Import a CSV"</h2>
                <p class="page__lead">
                    "One row per variant: listing_ref, title, description, category, currency, status, option1_name, option1_value (up to option3), sku, price, compare_at_price, weight_grams, barcode, purchase_limit, location, on_hand. "
                    "Rows with the same listing_ref make one listing; SKUs already in your catalog are updated. Up to 200,000 rows."
                </p>
                {move || problem().map(|message| view! { <p class="form-alert" role="alert">{message}</p> })}
                <form class="upload-form" method="post" action=move || format!("/brand/{}/imports", slug()) enctype="multipart/form-data">
                    <div class="field">
                        <label class="field__label" for="import-file">"CSV file"</label>
                        <input class="field__input" type="file" id="import-file" name="file" accept=".csv,text/csv" required=true/>
                    </div>
                    <button class="button button--primary" type="submit">"Start import"</button>
                </form>
            </div>
            <div class="panel">
                <h2 class="panel__title">"Export"</h2>
                <p class="page__lead">"Your whole catalog in the same format, with stock per location."</p>
                <a class="button button--secondary" href=move || format!("/api/v1/brands/{}/listings/export.csv", slug()) download="">"Download CSV"</a>
            </div>
            <div class="panel">
                <h2 class="panel__title">"Recent imports"</h2>
                <Transition fallback=|| view! { <Skeleton class="skeleton--line"/> }>
                    {move || imports.get().map(|result| match result {
                        Ok(jobs) if jobs.is_empty() => view! { <p class="page__lead">"No imports yet."</p> }.into_any(),
                        Ok(jobs) => view! {
                            <ul class="listing-rows">
                                {jobs.into_iter().map(|job| view! {
                                    <li>
                                        <A href=format!("/brand/{}/imports/{}", slug(), job.id) attr:class="listing-row">
                                            <span class="listing-row__title">{job.file_name.clone()}</span>
                                            <span class="listing-row__meta">
                                                <span>{import_status_label(&job)}</span>
                                                <span>{job.created_at.format("%Y-%m-%d %H:%M UTC").to_string()}</span>
                                            </span>
                                        </A>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(AppError::Unauthorized) => view! { <SignInPrompt message="Sign in to import listings." next="/brands"/> }.into_any(),
                        Err(error) => view! { <InlineError error/> }.into_any(),
                    })}
                </Transition>
            </div>
        </section>
    }
}

fn import_status_label(job: &ImportJob) -> String {
    match job.status {
        ImportStatus::Queued => "Waiting to start".into(),
        ImportStatus::Running => format!(
            "Importing: {} of {} rows",
            job.processed_rows, job.total_rows
        ),
        ImportStatus::Done => format!(
            "Done: {} created, {} updated, {} rows refused",
            job.created_listings, job.updated_listings, job.refused_rows
        ),
        ImportStatus::Failed => "Failed".into(),
    }
}

/// `/brand/:slug/imports/:id`: an import's live progress and outcome.
#[component]
pub fn ImportJobPage() -> impl IntoView {
    let slug = slug_param();
    let params = use_params_map();
    let id = move || params.get().get("id").unwrap_or_default();
    let (tick, set_tick) = signal(0u32);
    let job = Resource::new(
        move || (slug(), id(), tick.get()),
        |(slug, id, _)| catalog_import(slug, id),
    );
    // Poll once a second until the job is finished (in the browser only).
    Effect::new(move |_| {
        let finished = job
            .get()
            .and_then(Result::ok)
            .is_some_and(|j| j.status.is_finished());
        if !finished {
            set_timeout(
                move || set_tick.update(|t| *t += 1),
                std::time::Duration::from_secs(1),
            );
        }
    });
    view! {
        <Title text="Import"/>
        <section class="container page">
            <div class="page__head"><h1>"Import"</h1></div>
            <crate::brands::DashboardNav slug=slug() current="listings"/>
            <Transition fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                {move || job.get().map(|result| match result {
                    Ok(job) => {
                        let percent = if job.total_rows > 0 { job.processed_rows * 100 / job.total_rows } else { 0 };
                        view! {
                            <div class="panel">
                                <h2 class="panel__title">{job.file_name.clone()}</h2>
                                <p role="status">{import_status_label(&job)}</p>
                                <progress class="import-progress" max=job.total_rows value=job.processed_rows aria-label="Import progress">{format!("{percent}%")}</progress>
                                {job.failure.clone().map(|why| view! { <p class="form-alert" role="alert">{why}</p> })}
                                {job.has_error_report.then(|| view! {
                                    <p>
                                        <a class="button button--secondary" href=format!("/api/v1/brands/{}/imports/{}/errors.csv", slug(), job.id) download="">
                                            {format!("Download the {} refused rows", job.refused_rows)}
                                        </a>
                                    </p>
                                })}
                                {job.status.is_finished().then(|| view! {
                                    <div class="button-row">
                                        <A href=format!("/brand/{}/listings", slug()) attr:class="button button--primary">"See your listings"</A>
                                        <A href=format!("/brand/{}/imports", slug()) attr:class="button button--ghost">"Import another file"</A>
                                    </div>
                                })}
                            </div>
                        }.into_any()
                    }
                    Err(AppError::Unauthorized) => view! { <SignInPrompt message="Sign in to follow this import." next="/brands"/> }.into_any(),
                    Err(error) => view! { <InlineError error/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}
