//! Planning shows: `/brand/<slug>/shows` (the brand's shows, a new one),
//! `/brand/<slug>/shows/<id>` (details, run-sheet, submission); the same pages under
//! `/admin/galas` for the platform's multi-brand galas; and `/admin/shows` (the platform's
//! review).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use super::{status_badge, Host};
use crate::core::money::format_amount;
use crate::core::time::{self, Style};
use crate::core::ui::{BoundField, ErrorList, InlineError, NotFoundPage, SignInPrompt, Skeleton};
use crate::core::AppError;
use crate::show::{
    add_show_look, create_show, decide_show, delete_show, get_show, host_shows, remove_show_look,
    show_review_queue, submit_show, update_show, LookInput, LookItemInput, ShowDetail, ShowInput,
    ShowStatus, ShowSummary,
};

fn field_signal<T: Clone + Send + Sync + 'static>(
    result: Signal<Option<Result<T, AppError>>>,
) -> impl Fn(&'static str) -> Signal<Vec<String>> + Copy {
    move |field| {
        Signal::derive(move || match result.get() {
            Some(Err(err)) => err.field_messages(field).to_vec(),
            _ => Vec::new(),
        })
    }
}

fn form_error<T: Clone + Send + Sync + 'static>(
    result: Signal<Option<Result<T, AppError>>>,
) -> impl IntoView {
    move || match result.get() {
        Some(Err(AppError::Validation { .. })) | Some(Ok(_)) | None => None,
        Some(Err(error)) => Some(view! { <InlineError error/> }),
    }
}

/// The show details form's fields.
#[derive(Clone, Copy)]
struct ShowFields {
    title: RwSignal<String>,
    description: RwSignal<String>,
    stream_url: RwSignal<String>,
    cover_url: RwSignal<String>,
    starts_at: RwSignal<String>,
    ends_at: RwSignal<String>,
    blocked_words: RwSignal<String>,
}

impl ShowFields {
    fn new(detail: Option<&ShowDetail>) -> Self {
        let field_time = |t: chrono::DateTime<chrono::Utc>| time::display(t, Style::Field);
        let soon = chrono::Utc::now() + chrono::TimeDelta::hours(1);
        ShowFields {
            title: RwSignal::new(detail.map(|d| d.summary.title.clone()).unwrap_or_default()),
            description: RwSignal::new(detail.map(|d| d.description.clone()).unwrap_or_default()),
            stream_url: RwSignal::new(detail.map(|d| d.stream_url.clone()).unwrap_or_default()),
            cover_url: RwSignal::new(
                detail
                    .and_then(|d| d.summary.cover_url.clone())
                    .unwrap_or_default(),
            ),
            starts_at: RwSignal::new(field_time(detail.map_or(soon, |d| d.summary.starts_at))),
            ends_at: RwSignal::new(field_time(
                detail.map_or(soon + chrono::TimeDelta::hours(4), |d| d.summary.ends_at),
            )),
            blocked_words: RwSignal::new(
                detail.map(|d| d.blocked_words.clone()).unwrap_or_default(),
            ),
        }
    }

    fn input(&self) -> ShowInput {
        ShowInput {
            title: self.title.get(),
            description: self.description.get(),
            stream_url: self.stream_url.get(),
            cover_url: Some(self.cover_url.get()).filter(|u| !u.trim().is_empty()),
            starts_at: self.starts_at.get(),
            ends_at: self.ends_at.get(),
            blocked_words: self.blocked_words.get(),
        }
    }
}

#[component]
fn ShowFieldsView<T: Clone + Send + Sync + 'static>(
    fields: ShowFields,
    result: Signal<Option<Result<T, AppError>>>,
) -> impl IntoView {
    let errors = field_signal(result);
    view! {
        <BoundField id="show-title" label="Title" value=fields.title errors=errors("title") required=true/>
        <BoundField id="show-stream" label="Stream address" hint="An https:// HLS (.m3u8) or MP4 address." kind="url" inputmode="url" value=fields.stream_url errors=errors("stream_url") required=true/>
        <BoundField id="show-cover" label="Cover image address (optional)" kind="url" inputmode="url" value=fields.cover_url errors=errors("cover_url")/>
        <div class="field-grid">
            <BoundField id="show-starts" label="Starts (UTC)" kind="datetime-local" value=fields.starts_at errors=errors("starts_at") required=true/>
            <BoundField id="show-ends" label="Ends (UTC)" kind="datetime-local" value=fields.ends_at errors=errors("ends_at") required=true/>
        </div>
        <div class="field">
            <label class="field__label" for="show-description">"Description (optional)"</label>
            <textarea class="field__input" id="show-description" rows="3"
                prop:value=move || fields.description.get() on:input=move |ev| fields.description.set(event_target_value(&ev))></textarea>
            <ErrorList errors=errors("description")/>
        </div>
        <div class="field">
            <label class="field__label" for="show-blocked">"Words the chat refuses (one per line, optional)"</label>
            <textarea class="field__input" id="show-blocked" rows="2"
                prop:value=move || fields.blocked_words.get() on:input=move |ev| fields.blocked_words.set(event_target_value(&ev))></textarea>
            <ErrorList errors=errors("blocked_words")/>
        </div>
    }
}

/// `/brand/:slug/shows`
#[component]
pub fn BrandShowsPage() -> impl IntoView {
    view! { <ShowsPlanner host=Host::from_params()/> }
}

/// `/admin/galas`: the platform's multi-brand galas.
#[component]
pub fn GalasPage() -> impl IntoView {
    view! { <ShowsPlanner host=Host::from_params()/> }
}

/// Who may use a planning page, for the sign-in prompt.
fn sign_in_prompt(host: &Host) -> impl IntoView {
    let (message, next) = match host {
        Host::Brand(_) => ("Sign in to plan your brand's shows.", "/brands".to_owned()),
        Host::Platform => (
            "Sign in as a platform admin to plan galas.",
            host.shows_path(),
        ),
    };
    view! { <SignInPrompt message next/> }
}

#[component]
fn ShowsPlanner(host: Memo<Host>) -> impl IntoView {
    let shows = Resource::new(move || host.get().slug(), host_shows);
    let fields = ShowFields::new(None);
    let create = Action::new(move |(host, input): &(Host, ShowInput)| {
        let (slug, input) = (host.slug(), input.clone());
        async move { create_show(slug, input).await }
    });
    let result: Signal<Option<Result<ShowDetail, AppError>>> = create.value().into();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(detail)) = result.get() {
            navigate(
                &format!(
                    "{}/{}",
                    host.get_untracked().shows_path(),
                    detail.summary.id
                ),
                Default::default(),
            );
        }
    });
    let is_gala = move || host.get() == Host::Platform;
    view! {
        <Title text=move || if is_gala() { "Galas" } else { "Shows" }/>
        <section class="container page">
            <div class="page__head"><h1>{move || if is_gala() { "Galas" } else { "Shows" }}</h1></div>
            {move || host.get().nav()}
            {move || is_gala().then(|| view! {
                <p class="page__lead">"The platform's own shows: each look can reveal products of any approved brand."</p>
            })}
            <Transition fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                {move || shows.get().map(|result| match result {
                    Ok(shows) if shows.is_empty() => view! {
                        <div class="notice">
                            <h2 class="notice__title">{move || if is_gala() { "No galas yet" } else { "No shows yet" }}</h2>
                            <p>"Plan a See Now, Buy Now show: viewers buy each look the moment it walks the runway."</p>
                        </div>
                    }.into_any(),
                    Ok(shows) => view! {
                        <ul class="listing-rows">
                            {shows.into_iter().map(|show| view! { <ShowRow base=host.get().shows_path() show/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(AppError::Unauthorized) => sign_in_prompt(&host.get()).into_any(),
                    Err(AppError::NotFound | AppError::Forbidden) => view! { <NotFoundPage/> }.into_any(),
                    Err(error) => view! { <InlineError error/> }.into_any(),
                })}
            </Transition>
            <form class="panel form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                create.dispatch((host.get(), fields.input()));
            }>
                <h2>{move || if is_gala() { "Plan a gala" } else { "Plan a show" }}</h2>
                <ShowFieldsView fields result/>
                {form_error(result)}
                <button class="button button--primary" type="submit" disabled=move || create.pending().get()>"Create draft"</button>
            </form>
        </section>
    }
}

#[component]
fn ShowRow(base: String, show: ShowSummary) -> impl IntoView {
    view! {
        <li>
            <A href=format!("{base}/{}", show.id) attr:class="listing-row">
                <span class="listing-row__title">{show.title.clone()}</span>
                <span class="listing-row__meta">
                    {status_badge(show.status)}
                    <span>{time::display(show.starts_at, Style::DayYearTime)}</span>
                    <span>{format!("{} look{}", show.looks, if show.looks == 1 { "" } else { "s" })}</span>
                </span>
            </A>
        </li>
    }
}

/// `/brand/:slug/shows/:id` and `/admin/galas/:id`
#[component]
pub fn ShowEditorPage() -> impl IntoView {
    let host = Host::from_params();
    let params = use_params_map();
    let key = move || (host.get(), params.get().get("id").unwrap_or_default());
    let show = Resource::new(key, |(host, id)| get_show(host.slug(), id));
    view! {
        <Title text="Show"/>
        <section class="container page">
            <Suspense fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                {move || show.get().map(|result| match result {
                    Ok(detail) => view! { <ShowEditor host=key().0 detail/> }.into_any(),
                    Err(AppError::Unauthorized) => sign_in_prompt(&host.get()).into_any(),
                    Err(AppError::NotFound | AppError::Forbidden) => view! { <NotFoundPage/> }.into_any(),
                    Err(error) => view! { <InlineError error/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ShowEditor(host: Host, detail: ShowDetail) -> impl IntoView {
    let id = detail.summary.id.clone();
    let fields = ShowFields::new(Some(&detail));
    let detail = RwSignal::new(detail);
    let console = format!("{}/{id}/live", host.shows_path());
    let nav = host.nav();
    let is_gala = host == Host::Platform;
    let target = StoredValue::new((host, id));
    let save = Action::new(move |input: &ShowInput| {
        let (host, id) = target.get_value();
        let input = input.clone();
        async move { update_show(host.slug(), id, input).await }
    });
    let submit = Action::new(move |_: &()| {
        let (host, id) = target.get_value();
        async move { submit_show(host.slug(), id).await }
    });
    let remove = Action::new(move |look_id: &String| {
        let (host, id) = target.get_value();
        let look_id = look_id.clone();
        async move { remove_show_look(host.slug(), id, look_id).await }
    });
    let delete = Action::new(move |_: &()| {
        let (host, id) = target.get_value();
        async move { delete_show(host.slug(), id).await }
    });
    let confirming_delete = RwSignal::new(false);
    let deleted: Signal<Option<Result<(), AppError>>> = delete.value().into();
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = deleted.get() {
            let (host, _) = target.get_value();
            navigate(&host.shows_path(), Default::default());
        }
    });
    let saved: Signal<Option<Result<ShowDetail, AppError>>> = save.value().into();
    let submitted: Signal<Option<Result<ShowDetail, AppError>>> = submit.value().into();
    let removed: Signal<Option<Result<ShowDetail, AppError>>> = remove.value().into();
    for result in [saved, submitted, removed] {
        Effect::new(move |_| {
            if let Some(Ok(updated)) = result.get() {
                detail.set(updated);
            }
        });
    }
    let status = move || detail.with(|d| d.summary.status);
    let editable = move || status().editable();
    view! {
        <div class="page__head">
            <h1>{move || detail.with(|d| d.summary.title.clone())}</h1>
            {move || status_badge(status())}
        </div>
        {nav}
        {move || detail.with(|d| d.review_note.clone()).filter(|_| status() == ShowStatus::Rejected).map(|note| view! {
            <div class="notice notice--warning"><h2 class="notice__title">"Changes requested"</h2><p>{note}</p></div>
        })}
        <div class="show-editor__actions">
            {move || matches!(status(), ShowStatus::Approved | ShowStatus::Live | ShowStatus::Ended).then(|| {
                view! { <A href=console.clone() attr:class="button button--primary">"Open the producer console"</A> }
            })}
            {move || editable().then(|| view! {
                <button class="button button--primary" type="button" data-testid="submit-show"
                    disabled=move || submit.pending().get()
                    on:click=move |_| { submit.dispatch(()); }>"Submit for review"</button>
            })}
            {move || (status() == ShowStatus::Submitted).then(|| view! { <p>"In review by the platform. You'll be able to go live once it's approved."</p> })}
            {move || (!matches!(status(), ShowStatus::Live | ShowStatus::Ended) && !confirming_delete.get()).then(|| view! {
                <button class="link-button link-button--danger" type="button" data-testid="delete-show"
                    on:click=move |_| confirming_delete.set(true)>"Delete show"</button>
            })}
            <Show when=move || confirming_delete.get()>
                <div class="notice notice--warning" role="alertdialog" aria-label="Delete this show">
                    <p>"Delete this show? Its run-sheet goes, units set aside for its drops go back to your open stock, and its products are on sale as before."</p>
                    <button class="button button--danger" type="button" data-testid="confirm-delete-show"
                        disabled=move || delete.pending().get()
                        on:click=move |_| { delete.dispatch(()); }>"Delete show"</button>
                    " "
                    <button class="button button--secondary" type="button" on:click=move |_| confirming_delete.set(false)>"Keep it"</button>
                </div>
            </Show>
            {form_error(deleted)}
            {form_error(submitted)}
            <ErrorList errors=field_signal(submitted)("looks")/>
        </div>
        <section aria-label="Run-sheet">
            <h2>"Run-sheet"</h2>
            {move || {
                let looks = detail.with(|d| d.looks.clone());
                if looks.is_empty() {
                    view! { <p class="notice">"No looks yet. Add the first look below: the products it reveals when it walks."</p> }.into_any()
                } else {
                    view! {
                        <ol class="runsheet">
                            {looks.into_iter().map(|look| {
                                let look_id = look.id.clone();
                                view! {
                                    <li class="runsheet__look">
                                        <div class="runsheet__head">
                                            <span class="runsheet__position">{look.position}</span>
                                            <div>
                                                <h3 class="runsheet__title">{look.title.clone()}</h3>
                                                <p class="runsheet__state">{look.flash_secs.map(|s| format!("Flash window: {s} s")).unwrap_or_else(|| "Window open until the producer closes it".to_owned())}</p>
                                            </div>
                                        </div>
                                        <ul class="runsheet__items">
                                            {look.items.into_iter().map(|item| view! {
                                                <li class="runsheet__item">
                                                    <span>{item.title} {(!item.variant.is_empty()).then(|| format!(" · {}", item.variant))}</span>
                                                    <span class="runsheet__meta">{item.sku_code} " · " {format_amount(item.price_minor, &item.currency)} " · "
                                                        {match item.drop_stock {
                                                            Some(set_aside) => format!("{} of {set_aside} set aside left", item.units_left),
                                                            None => format!("{} in stock", item.units_left),
                                                        }}
                                                        {item.exclusive.then_some(" · exclusive")}
                                                        {item.purchase_limit.map(|l| format!(" · limit {l}"))}</span>
                                                </li>
                                            }).collect_view()}
                                        </ul>
                                        {move || editable().then(|| {
                                            let look_id = look_id.clone();
                                            view! { <button class="link-button link-button--danger" type="button" on:click=move |_| { remove.dispatch(look_id.clone()); }>"Remove look"</button> }
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ol>
                    }.into_any()
                }
            }}
            {move || editable().then(|| view! { <AddLookForm target detail is_gala/> })}
        </section>
        {move || editable().then(|| view! {
            <form class="panel form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                save.dispatch(fields.input());
            }>
                <h2>"Details"</h2>
                <ShowFieldsView fields result=saved/>
                {form_error(saved)}
                <button class="button button--secondary" type="submit" disabled=move || save.pending().get()>"Save details"</button>
            </form>
        })}
    }
}

/// Product rows the add-look form offers.
const LOOK_FORM_ROWS: usize = 3;

/// One product row of the add-look form.
#[derive(Clone, Copy)]
struct ItemRow {
    brand: RwSignal<String>,
    code: RwSignal<String>,
    exclusive: RwSignal<bool>,
    limit: RwSignal<String>,
    drop_stock: RwSignal<String>,
}

impl ItemRow {
    fn new() -> Self {
        ItemRow {
            brand: RwSignal::new(String::new()),
            code: RwSignal::new(String::new()),
            exclusive: RwSignal::new(false),
            limit: RwSignal::new(String::new()),
            drop_stock: RwSignal::new(String::new()),
        }
    }

    fn clear(&self) {
        for text in [self.brand, self.code, self.limit, self.drop_stock] {
            text.set(String::new());
        }
        self.exclusive.set(false);
    }

    fn input(&self) -> LookItemInput {
        LookItemInput {
            sku_code: self.code.get(),
            brand: Some(self.brand.get()).filter(|b| !b.trim().is_empty()),
            drop_stock: self.drop_stock.get().trim().parse().ok(),
            exclusive: self.exclusive.get(),
            purchase_limit: self.limit.get().trim().parse().ok(),
        }
    }
}

#[component]
fn AddLookForm(
    target: StoredValue<(Host, String)>,
    detail: RwSignal<ShowDetail>,
    /// Items name their brand (a gala mixes brands).
    is_gala: bool,
) -> impl IntoView {
    let title = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let flash = RwSignal::new(String::new());
    let rows: Vec<ItemRow> = (0..LOOK_FORM_ROWS).map(|_| ItemRow::new()).collect();
    let rows = StoredValue::new(rows);
    let add = Action::new(move |look: &LookInput| {
        let (host, id) = target.get_value();
        let look = look.clone();
        async move { add_show_look(host.slug(), id, look).await }
    });
    let result: Signal<Option<Result<ShowDetail, AppError>>> = add.value().into();
    Effect::new(move |_| {
        if let Some(Ok(updated)) = result.get() {
            detail.set(updated);
            title.set(String::new());
            note.set(String::new());
            flash.set(String::new());
            rows.with_value(|rows| rows.iter().for_each(ItemRow::clear));
        }
    });
    let errors = field_signal(result);
    let item_errors = move |i: usize, field: &'static str| {
        let key = format!("items.{i}.{field}");
        Signal::derive(move || match result.get() {
            Some(Err(err)) => err.field_messages(&key).to_vec(),
            _ => Vec::new(),
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let items = rows.with_value(|rows| {
            rows.iter()
                .filter(|row| !row.code.get().trim().is_empty())
                .map(ItemRow::input)
                .collect()
        });
        add.dispatch(LookInput {
            title: title.get(),
            note: note.get(),
            flash_secs: flash.get().trim().parse().ok(),
            items,
        });
    };
    view! {
        <form class="panel form add-look" on:submit=submit>
            <h3>"Add a look"</h3>
            <BoundField id="look-title" label="Look title" value=title errors=errors("title") required=true/>
            <BoundField id="look-note" label="Note for viewers (optional)" value=note errors=errors("note")/>
            <BoundField id="look-flash" label="Flash window, seconds (optional)" hint="10 to 300: the buy window closes by itself. Empty: open until you close it." kind="number" inputmode="numeric" value=flash errors=errors("flash_secs")/>
            <ErrorList errors=errors("items")/>
            {rows.with_value(|rows| rows.iter().enumerate().map(|(i, row)| {
                let row = *row;
                view! {
                    <fieldset class="add-look__item">
                        <legend>{format!("Product {}", i + 1)}</legend>
                        {is_gala.then(|| view! {
                            <BoundField id=format!("look-brand-{i}") label="Brand (slug)" value=row.brand errors=item_errors(i, "brand") required={i == 0}/>
                        })}
                        <BoundField id=format!("look-sku-{i}") label="SKU code" value=row.code errors=item_errors(i, "sku_code") required={i == 0}/>
                        <div class="field-grid">
                            <BoundField id=format!("look-drop-{i}") label="Drop stock (optional)" hint="Units set aside for this drop: only the show sells them. Empty: it sells the open stock." kind="number" inputmode="numeric" value=row.drop_stock errors=item_errors(i, "drop_stock")/>
                            <BoundField id=format!("look-limit-{i}") label="Limit per person (optional)" kind="number" inputmode="numeric" value=row.limit errors=item_errors(i, "purchase_limit")/>
                        </div>
                        <label class="choice">
                            <input type="checkbox" id=format!("look-exclusive-{i}") prop:checked=move || row.exclusive.get() on:change=move |ev| row.exclusive.set(event_target_checked(&ev))/>
                            " Show exclusive"
                        </label>
                    </fieldset>
                }
            }).collect_view())}
            {form_error(result)}
            <button class="button button--secondary" type="submit" disabled=move || add.pending().get()>"Add look"</button>
        </form>
    }
}

/// `/admin/shows`: shows waiting for the platform's approval.
#[component]
pub fn AdminShowsPage() -> impl IntoView {
    let queue = Resource::new(|| (), |_| show_review_queue());
    let decide = Action::new(
        move |(id, approve, note): &(String, bool, Option<String>)| {
            let (id, approve, note) = (id.clone(), *approve, note.clone());
            async move { decide_show(id, approve, note).await }
        },
    );
    let result: Signal<Option<Result<ShowSummary, AppError>>> = decide.value().into();
    Effect::new(move |_| {
        if let Some(Ok(_)) = result.get() {
            queue.refetch();
        }
    });
    view! {
        <Title text="Show review"/>
        <section class="container page">
            <div class="page__head"><h1>"Shows to review"</h1></div>
            <crate::core::ui::AdminNav current="shows"/>
            {form_error(result)}
            <ErrorList errors=field_signal(result)("note")/>
            <Transition fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                {move || queue.get().map(|result| match result {
                    Ok(shows) if shows.is_empty() => view! {
                        <div class="notice"><h2 class="notice__title">"Nothing to review"</h2><p>"Shows brands submit appear here."</p></div>
                    }.into_any(),
                    Ok(shows) => view! {
                        <ul class="review-list">
                            {shows.into_iter().map(|show| {
                                let note = RwSignal::new(String::new());
                                let (approve_id, reject_id) = (show.id.clone(), show.id.clone());
                                view! {
                                    <li class="panel review-item" data-testid="show-review">
                                        <h2>{show.title.clone()}</h2>
                                        <p>{show.brand_name.clone()} " · " {time::display(show.starts_at, Style::DayYearTime)} " · " {format!("{} looks", show.looks)}</p>
                                        <label class="field__label" for=format!("note-{}", show.id)>"Note to the brand (needed to request changes)"</label>
                                        <textarea class="field__input" id=format!("note-{}", show.id) rows="2"
                                            prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                                        <div class="field-grid">
                                            <button class="button button--primary" type="button" on:click=move |_| { decide.dispatch((approve_id.clone(), true, Some(note.get()))); }>"Approve"</button>
                                            <button class="button button--secondary" type="button" on:click=move |_| { decide.dispatch((reject_id.clone(), false, Some(note.get()))); }>"Request changes"</button>
                                        </div>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(AppError::Unauthorized) => view! { <SignInPrompt message="Sign in as a platform admin." next="/admin/shows"/> }.into_any(),
                    Err(AppError::Forbidden) => view! { <NotFoundPage/> }.into_any(),
                    Err(error) => view! { <InlineError error/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}
