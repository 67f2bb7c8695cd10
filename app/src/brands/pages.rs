//! Brand pages: your brands, the application form, the brand dashboard shell, the admin review
//! queue and the public brand page.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::{components::A, hooks::use_params_map};

use super::{
    brand_dashboard, get_public_brand, my_brands, review_queue, ApplyForBrand, BrandDetail, BrandStatus, DecideBrand,
    CATEGORIES,
};
use crate::core::ui::{field_errors, Field, FormAlert, InlineError, NotFoundPage, SignInPrompt, Skeleton};
use crate::core::AppError;

fn status_badge(status: BrandStatus) -> impl IntoView {
    let (class, label) = match status {
        BrandStatus::Pending => ("badge badge--warning", "In review"),
        BrandStatus::ChangesRequested => ("badge badge--warning", "Changes requested"),
        BrandStatus::Approved => ("badge badge--success", "Live"),
        BrandStatus::Rejected => ("badge badge--danger", "Not approved"),
        BrandStatus::Suspended => ("badge badge--danger", "Suspended"),
    };
    view! { <span class=class>{label}</span> }
}

/// `/brands`: the brands you belong to and your applications.
#[component]
pub fn BrandsPage() -> impl IntoView {
    let brands = Resource::new(|| (), |_| my_brands());
    view! {
        <Title text="Your brands"/>
        <section class="container page">
            <div class="page__head">
                <h1>"Your brands"</h1>
                <A href="/brands/apply" attr:class="button button--primary">"Open a brand"</A>
            </div>
            <Transition fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                {move || brands.get().map(|result| match result {
                    Ok(list) if list.is_empty() => view! {
                        <div class="notice">
                            <h2 class="notice__title">"No brands yet"</h2>
                            <p>"Sell on Gala: apply to open your brand. Our team reviews applications within two working days."</p>
                        </div>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="card-list">
                            {list.into_iter().map(|b| {
                                let href = if b.status == BrandStatus::Approved || b.status == BrandStatus::Suspended {
                                    format!("/brand/{}", b.slug)
                                } else {
                                    "/brands".to_owned()
                                };
                                view! {
                                    <li class="card-list__item">
                                        <A href=href attr:class="card-list__link">
                                            <span class="card-list__title">{b.display_name}</span>
                                            <span class="card-list__meta">
                                                {status_badge(b.status)} " "
                                                {b.role.map(|r| r.as_str().to_owned()).unwrap_or_else(|| "applicant".to_owned())}
                                            </span>
                                        </A>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(AppError::Unauthorized) => view! { <SignInPrompt message="Sign in to see your brands." next="/brands"/> }.into_any(),
                    Err(error) => view! { <InlineError error/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

/// `/brands/apply`: the application form.
#[component]
pub fn ApplyBrandPage() -> impl IntoView {
    let action = ServerAction::<ApplyForBrand>::new();
    let result: Signal<Option<Result<BrandDetail, AppError>>> = action.value().into();
    let errors = move |field: &'static str| field_errors(result, field);
    view! {
        <Title text="Open a brand"/>
        <section class="container page page--narrow">
            <h1>"Open a brand on Gala"</h1>
            <Show
                when=move || matches!(result.get(), Some(Ok(_)))
                fallback=move || view! {
                    <p class="page__lead">"Tell us about your company. A Gala admin reviews every application; you'll get an email with the decision."</p>
                    <ActionForm action=action attr:class="form" attr:novalidate=true>
                        <FormAlert result/>
                        <Field name="application[display_name]" label="Brand name" autocomplete="organization" errors=errors("display_name")/>
                        <Field name="application[slug]" label="Web address" hint="Your page will be gala/b/<address>: lower-case letters, digits and hyphens." errors=errors("slug")/>
                        <Field name="application[legal_name]" label="Registered company name" errors=errors("legal_name")/>
                        <Field name="application[licence_number]" label="Business licence number" errors=errors("licence_number")/>
                        <Field name="application[country]" label="Country of registration" hint="Two-letter code, like CN, FR or US." autocomplete="country" errors=errors("country")/>
                        <div class="field" class:field--invalid=move || !errors("category").get().is_empty()>
                            <label class="field__label" for="field-category">"Category"</label>
                            <select class="field__input" id="field-category" name="application[category]">
                                {CATEGORIES.iter().map(|c| view! { <option value=*c>{c.to_string()}</option> }).collect_view()}
                            </select>
                        </div>
                        <Field name="application[contact_email]" label="Contact email" kind="email" autocomplete="email" errors=errors("contact_email")/>
                        <div class="field" class:field--invalid=move || !errors("description").get().is_empty()>
                            <label class="field__label" for="field-description">"Short description"</label>
                            <textarea class="field__input field__input--area" id="field-description" name="application[description]" rows="4" maxlength="500"></textarea>
                            <Show when=move || !errors("description").get().is_empty()>
                                <ul class="field__errors" role="alert">
                                    {move || errors("description").get().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
                                </ul>
                            </Show>
                        </div>
                        <button class="button button--primary button--block" type="submit" disabled=move || action.pending().get()>
                            {move || if action.pending().get() { "Sending…" } else { "Send application" }}
                        </button>
                    </ActionForm>
                }
            >
                <div class="notice notice--success" role="status">
                    <h2 class="notice__title">"Application received"</h2>
                    <p>"We'll email you when a Gala admin has reviewed it."</p>
                    <A href="/brands" attr:class="button button--primary">"See your brands"</A>
                </div>
            </Show>
        </section>
    }
}

/// Sections of the brand dashboard; later issues fill them in.
const DASHBOARD_SECTIONS: &[&str] = &["Listings", "Campaigns", "Stores", "Shows", "Orders", "Insights", "Team"];

/// `/brand/:slug`: the brand dashboard shell (members and admins).
#[component]
pub fn BrandDashboardPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.get().get("slug").unwrap_or_default();
    let brand = Resource::new(slug, brand_dashboard);
    view! {
        <Title text="Brand dashboard"/>
        <section class="container page">
            <Transition fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                {move || brand.get().map(|result| match result {
                    Ok(brand) => view! {
                        <div class="dashboard">
                            <div class="page__head">
                                <h1>{brand.display_name.clone()}</h1>
                                {status_badge(brand.status)}
                            </div>
                            {(brand.status == BrandStatus::Suspended).then(|| view! {
                                <p class="form-alert" role="alert">
                                    "This brand is suspended: shoppers can't see it and the team can't sell. "
                                    {brand.review_note.clone().unwrap_or_default()}
                                </p>
                            })}
                            <nav class="dashboard__nav" aria-label="Brand sections">
                                <ul>
                                    <li><span class="dashboard__tab dashboard__tab--current" aria-current="page">"Overview"</span></li>
                                    {DASHBOARD_SECTIONS.iter().map(|s| view! {
                                        <li><span class="dashboard__tab dashboard__tab--soon" title="Coming soon">{*s}</span></li>
                                    }).collect_view()}
                                </ul>
                            </nav>
                            <div class="panel">
                                <h2 class="panel__title">"Overview"</h2>
                                <dl class="facts">
                                    <dt>"Public page"</dt><dd><A href=format!("/b/{}", brand.slug)>{format!("/b/{}", brand.slug)}</A></dd>
                                    <dt>"Company"</dt><dd>{brand.legal_name.clone()}</dd>
                                    <dt>"Category"</dt><dd>{brand.category.clone()}</dd>
                                    <dt>"Country"</dt><dd>{brand.country.clone()}</dd>
                                    <dt>"Contact"</dt><dd>{brand.contact_email.clone()}</dd>
                                </dl>
                            </div>
                        </div>
                    }.into_any(),
                    Err(AppError::Unauthorized) => view! { <SignInPrompt message="Sign in to open your brand's dashboard." next="/brands"/> }.into_any(),
                    Err(error) => view! { <InlineError error/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

/// `/admin/brands`: the review queue for platform admins.
#[component]
pub fn AdminBrandsPage() -> impl IntoView {
    let decide = ServerAction::<DecideBrand>::new();
    let (after, set_after) = signal(None::<String>);
    let queue = Resource::new(
        move || (decide.version().get(), after.get()),
        |(_, after)| review_queue(None, None, after),
    );
    let decision_result: Signal<Option<Result<BrandDetail, AppError>>> = decide.value().into();
    view! {
        <Title text="Brand applications"/>
        <section class="container page">
            <h1>"Brand applications"</h1>
            <p class="page__lead">"Oldest first. Approve, reject with a reason, or ask the applicant for changes."</p>
            <FormAlert result=decision_result/>
            <Transition fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                {move || queue.get().map(|result| match result {
                    Ok(page) if page.items.is_empty() => view! {
                        <div class="notice"><p>"No applications are waiting. Nice work!"</p></div>
                    }.into_any(),
                    Ok(page) => {
                        let next = page.next_cursor.clone();
                        view! {
                            <ul class="review-list">
                                {page.items.into_iter().map(|b| view! { <ReviewCard brand=b decide/> }).collect_view()}
                            </ul>
                            {next.map(|cursor| view! {
                                <button class="button button--secondary" type="button" on:click=move |_| set_after.set(Some(cursor.clone()))>
                                    "Next page"
                                </button>
                            })}
                        }.into_any()
                    }
                    Err(AppError::Unauthorized) => view! { <SignInPrompt message="Sign in as a platform admin to review brands." next="/admin/brands"/> }.into_any(),
                    Err(error) => view! { <InlineError error/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ReviewCard(brand: BrandDetail, decide: ServerAction<DecideBrand>) -> impl IntoView {
    let reason_id = format!("reason-{}", brand.id);
    view! {
        <li class="panel review-card">
            <div class="page__head">
                <h2 class="panel__title">{brand.display_name.clone()}</h2>
                {status_badge(brand.status)}
            </div>
            <dl class="facts">
                <dt>"Address"</dt><dd>{brand.slug.clone()}</dd>
                <dt>"Company"</dt><dd>{brand.legal_name.clone()}</dd>
                <dt>"Licence"</dt><dd>{brand.licence_number.clone()}</dd>
                <dt>"Country"</dt><dd>{brand.country.clone()}</dd>
                <dt>"Category"</dt><dd>{brand.category.clone()}</dd>
                <dt>"Contact"</dt><dd>{brand.contact_email.clone()}</dd>
                <dt>"Applied"</dt><dd>{brand.submitted_at.format("%Y-%m-%d %H:%M UTC").to_string()}</dd>
            </dl>
            <p class="review-card__description">{brand.description.clone()}</p>
            <ActionForm action=decide attr:class="form">
                <input type="hidden" name="brand_id" value=brand.id.clone()/>
                <fieldset class="choice-group">
                    <legend class="field__label">"Decision"</legend>
                    <label class="choice"><input type="radio" name="decision" value="approve" checked=true/>" Approve"</label>
                    <label class="choice"><input type="radio" name="decision" value="request_changes"/>" Ask for changes"</label>
                    <label class="choice"><input type="radio" name="decision" value="reject"/>" Reject"</label>
                </fieldset>
                <div class="field">
                    <label class="field__label" for=reason_id.clone()>"Reason (needed to reject or ask for changes)"</label>
                    <textarea class="field__input field__input--area" id=reason_id name="reason" rows="2" maxlength="1000"></textarea>
                </div>
                <button class="button button--primary" type="submit" disabled=move || decide.pending().get()>"Submit decision"</button>
            </ActionForm>
        </li>
    }
}

/// `/b/:slug`: the public brand page.
#[component]
pub fn PublicBrandPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.get().get("slug").unwrap_or_default();
    let brand = Resource::new(slug, get_public_brand);
    view! {
        <section class="container page">
            <Transition fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                {move || brand.get().map(|result| match result {
                    Ok(brand) => view! {
                        <Title text=brand.display_name.clone()/>
                        <Meta name="description" content=brand.description.clone()/>
                        <div class="brand-hero">
                            <span class="brand-hero__logo" aria-hidden="true">{brand.display_name.chars().next().unwrap_or('?').to_string()}</span>
                            <div>
                                <h1>{brand.display_name.clone()}</h1>
                                <p class="brand-hero__meta">{format!("{} · {}", brand.category, brand.country)}</p>
                            </div>
                        </div>
                        <p class="page__lead">{brand.description.clone()}</p>
                        <div class="notice"><p>"This brand's listings will appear here."</p></div>
                    }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFoundPage/> }.into_any(),
                    Err(error) => view! { <InlineError error/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}
