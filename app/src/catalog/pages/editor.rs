//! The listing editor: `/brand/<slug>/listings/new` and `/brand/<slug>/listings/<id>` —
//! details, options and variants, photos, publishing, and the listing's stock.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_params_map, use_query_map},
};

use crate::catalog::{
    brand_listing, CreateListing, ListingDetail, ListingInput, ListingOption, ListingStatus,
    MakeListingCover, RemoveListingImage, SetListingStatus, UpdateListing, VariantInput,
    CATEGORIES,
};
use crate::core::money::{self, amount_input, CURRENCIES};
use crate::core::ui::{BoundField, ErrorList, FormAlert, InlineError, SignInPrompt, Skeleton};
use crate::core::{AppError, FieldErrors};
use crate::media::UploadOutcome;

use super::stock::{StockData, StockPanel};
use super::{slug_param, status_badge};

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
