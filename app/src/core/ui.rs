//! The UI kit: status pages and small building blocks shared by every capability (the frame
//! around every page, which shows the cart and the account, is `crate::layout`).
//! Styling lives in `style/main.css` (design tokens as CSS custom properties).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::AppError;

/// The page for an unknown address; answers with HTTP 404 when rendered on the server.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found"/>
        <StatusPage
            code="404"
            title="This page is not on the runway"
            message="The address may be mistyped, or the page has moved."
        />
    }
}

/// Shows an [`AppError`] as a full page, with its user-facing message only.
#[component]
pub fn ErrorPage(error: AppError) -> impl IntoView {
    let code = error.status().to_string();
    view! {
        <Title text="Something went wrong"/>
        <StatusPage code=code title="Something went wrong" message=error.to_string()/>
    }
}

/// Shared body of the status pages (404, errors).
#[component]
fn StatusPage(
    #[prop(into)] code: String,
    #[prop(into)] title: String,
    #[prop(into)] message: String,
) -> impl IntoView {
    view! {
        <section class="status-page container">
            <p class="status-page__code" aria-hidden="true">{code}</p>
            <h1 class="status-page__title">{title}</h1>
            <p class="status-page__message">{message}</p>
            <A href="/" attr:class="button button--primary">"Back to Gala"</A>
        </section>
    }
}

/// A placeholder block shown while data loads (sized like the content it stands in for).
#[component]
pub fn Skeleton(#[prop(into, default = "skeleton".to_owned())] class: String) -> impl IntoView {
    view! { <div class=format!("skeleton {class}") aria-hidden="true"></div> }
}

/// An inline error message for a part of a page whose data failed to load.
#[component]
pub fn InlineError(error: AppError) -> impl IntoView {
    view! { <p class="inline-error" role="alert">{error.to_string()}</p> }
}

/// The validation messages for `field` in an action's latest result.
pub fn field_errors<T: Clone + Send + Sync + 'static>(
    result: Signal<Option<Result<T, AppError>>>,
    field: &'static str,
) -> Signal<Vec<String>> {
    Signal::derive(move || match result.get() {
        Some(Err(err)) => err.field_messages(field).to_vec(),
        _ => Vec::new(),
    })
}

/// A labelled input with its hint and field-level errors (announced to screen readers).
#[component]
pub fn Field(
    /// Form field name (= server function argument).
    name: &'static str,
    #[prop(into)] label: String,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional, into)] value: Option<String>,
    #[prop(into)] errors: Signal<Vec<String>>,
    /// Whether the browser should insist on a value (default: yes).
    #[prop(default = true)]
    required: bool,
) -> impl IntoView {
    let id = format!("field-{name}");
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = described_by(&hint_id, &error_id, hint.is_some(), errors);
    view! {
        <div class="field" class:field--invalid=move || !errors.get().is_empty()>
            <label class="field__label" for=id.clone()>{label}</label>
            {hint.map(|hint| view! { <p class="field__hint" id=hint_id.clone()>{hint}</p> })}
            <input
                class="field__input"
                id=id.clone()
                name=name
                type=kind
                autocomplete=autocomplete
                value=value
                required=required
                aria-invalid=move || (!errors.get().is_empty()).to_string()
                aria-describedby=described_by
            />
            <ErrorList errors id=error_id/>
        </div>
    }
}

/// `aria-describedby` of an input: its hint (if any) and, while there are any, its errors.
fn described_by(
    hint_id: &str,
    error_id: &str,
    has_hint: bool,
    errors: Signal<Vec<String>>,
) -> impl Fn() -> String + Send + Sync + 'static {
    let (hint_id, error_id) = (hint_id.to_owned(), error_id.to_owned());
    move || {
        let mut ids = Vec::new();
        if has_hint {
            ids.push(hint_id.clone());
        }
        if !errors.get().is_empty() {
            ids.push(error_id.clone());
        }
        ids.join(" ")
    }
}

/// A field's error messages, announced to screen readers; nothing while there are none.
#[component]
pub fn ErrorList(
    errors: Signal<Vec<String>>,
    /// Element id, for the input's `aria-describedby`.
    #[prop(optional, into)]
    id: Option<String>,
) -> impl IntoView {
    view! {
        <Show when=move || !errors.get().is_empty()>
            <ul class="field__errors" id=id.clone() role="alert">
                {move || errors.get().into_iter().map(|message| view! { <li>{message}</li> }).collect_view()}
            </ul>
        </Show>
    }
}

/// A form-level message for errors that are not about one field (throttling, bad link, ...).
#[component]
pub fn FormAlert<T: Clone + Send + Sync + 'static>(
    result: Signal<Option<Result<T, AppError>>>,
) -> impl IntoView {
    let message = move || match result.get() {
        Some(Err(AppError::Validation { .. })) | None | Some(Ok(_)) => None,
        Some(Err(err)) => Some(err.to_string()),
    };
    view! {
        <Show when=move || message().is_some()>
            <p class="form-alert" role="alert">{message}</p>
        </Show>
    }
}

/// Stands in for a page that needs a signed-in person, with a way back after signing in.
/// One tab of a list's filter row (`<ul class="filter-tabs">`): a link, marked as the
/// current page while its filter is applied.
#[component]
pub fn FilterTab(
    #[prop(into)] label: String,
    href: Signal<String>,
    #[prop(default = Signal::stored(false))] current: Signal<bool>,
) -> impl IntoView {
    view! {
        <li>
            <A href=move || href.get()
                attr:class=move || if current.get() { "dashboard__tab dashboard__tab--current" } else { "dashboard__tab dashboard__tab--link" }
                attr:aria-current=move || current.get().then_some("page")>
                {label}
            </A>
        </li>
    }
}

#[component]
pub fn SignInPrompt(#[prop(into)] message: String, #[prop(into)] next: String) -> impl IntoView {
    view! {
        <div class="notice">
            <p>{message}</p>
            <A href=format!("/signin?next={next}") attr:class="button button--primary">"Sign in"</A>
        </div>
    }
}

/// The platform admin's section tabs; `current` is "brands", "shows" or "galas".
#[component]
pub fn AdminNav(current: &'static str) -> impl IntoView {
    let tabs = [
        ("/admin/brands", "Brands", "brands"),
        ("/admin/shows", "Show review", "shows"),
        ("/admin/promotions", "Promotions", "promotions"),
        ("/admin/galas", "Galas", "galas"),
    ];
    view! {
        <nav class="dashboard__nav" aria-label="Admin sections">
            <ul>
                {tabs.into_iter().map(|(href, label, key)| {
                    let class = if key == current { "dashboard__tab dashboard__tab--current" } else { "dashboard__tab dashboard__tab--link" };
                    view! { <li><A href=href attr:class=class attr:aria-current=(key == current).then_some("page")>{label}</A></li> }
                }).collect_view()}
            </ul>
        </nav>
    }
}

/// A labelled input bound to a signal (for forms built in the browser, like the listing
/// editor), with its hint and field-level errors.
#[component]
pub fn BoundField(
    /// Unique element id.
    #[prop(into)]
    id: String,
    #[prop(into)] label: String,
    value: RwSignal<String>,
    #[prop(into)] errors: Signal<Vec<String>>,
    /// The form field's name, for a form that also posts itself without the wasm.
    #[prop(optional)]
    name: Option<&'static str>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "text")] inputmode: &'static str,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = described_by(&hint_id, &error_id, hint.is_some(), errors);
    view! {
        <div class="field" class:field--invalid=move || !errors.get().is_empty()>
            <label class="field__label" for=id.clone()>{label}</label>
            {hint.map(|hint| view! { <p class="field__hint" id=hint_id.clone()>{hint}</p> })}
            <input
                class="field__input"
                id=id.clone()
                name=name
                type=kind
                inputmode=inputmode
                required=required
                value=value.get_untracked()
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                aria-invalid=move || (!errors.get().is_empty()).to_string()
                aria-describedby=described_by
            />
            <ErrorList errors id=error_id/>
        </div>
    }
}

/// "fashion" → "Fashion": category and other lower-case names as headings.
pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
