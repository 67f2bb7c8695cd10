//! A listing's stock in the editor: levels per variant and location, changes (receive,
//! adjust, transfer, count) and the ledger.

use leptos::prelude::*;

use crate::catalog::{
    listing_stock, sku_movements, stock_locations, AddStockLocation, ChangeStock, ListingDetail,
    StockLevelInfo, StockLocationInfo, StockMovementInfo,
};
use crate::core::time::{self, Style};
use crate::core::ui::{field_errors, Field, FormAlert, InlineError, Skeleton};
use crate::core::AppError;

/// What the stock panel loads and changes, made by the listing's page, not by the panel its
/// Transition renders (README, "Architecture": where pages create their resources).
#[derive(Clone, Copy)]
pub(super) struct StockData {
    change: ServerAction<ChangeStock>,
    add_location: ServerAction<AddStockLocation>,
    levels: Resource<Result<Vec<StockLevelInfo>, AppError>>,
    locations: Resource<Result<Vec<StockLocationInfo>, AppError>>,
    /// The variant whose ledger is shown; `None`: the listing's first.
    ledger_code: RwSignal<Option<String>>,
    ledger: Resource<Result<Vec<StockMovementInfo>, AppError>>,
}

impl StockData {
    pub(super) fn new(
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
pub(super) fn StockPanel(detail: ListingDetail, stock: StockData) -> impl IntoView {
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
                                    <span class="ledger__kind">{m.kind.as_str().replace('_', " ")}</span>
                                    <span class="ledger__delta">{format!("{:+}", m.on_hand_delta)}</span>
                                    <span class="ledger__meta">{format!("{} · {} · {}", m.location_name, m.reason, time::display(m.created_at, Style::Stamp))}</span>
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
