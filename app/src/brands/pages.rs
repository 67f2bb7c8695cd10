//! Brand pages: your brands, the application form, the brand dashboard shell, the admin review
//! queue and the public brand page.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::{components::A, hooks::use_params_map};

use super::{
    brand_api_tokens, brand_dashboard, brand_team, get_public_brand, my_brands, review_queue,
    AcceptBrandInvite, ApplyForBrand, BrandDetail, BrandStatus, ChangeMemberRole,
    CreateBrandApiToken, CreatedApiToken, DecideBrand, InviteMember, MyBrand, PendingInvite,
    RemoveTeamMember, RevokeBrandApiToken, RevokeBrandInvite, CATEGORIES,
};
use crate::auth::{use_user, BrandRole};
use crate::core::time::{self, Style};
use crate::core::ui::{
    field_errors, Field, FormAlert, InlineError, NotFoundPage, SignInPrompt, Skeleton,
};
use crate::core::AppError;
use crate::media::UploadOutcome;

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

/// A brand's logo, or its initial on a tinted square when it has none.
#[component]
pub fn BrandLogo(
    name: String,
    url: Option<String>,
    /// Extra class for the size (`brand-logo--sm`); the default is 64 px.
    #[prop(optional)]
    size: &'static str,
) -> impl IntoView {
    let class = format!("brand-logo {size}");
    match url {
        Some(url) => view! { <img class=class src=url alt=format!("{name} logo") loading="lazy"/> }
            .into_any(),
        None => {
            let initial = name
                .chars()
                .next()
                .unwrap_or('?')
                .to_uppercase()
                .to_string();
            view! { <span class=class aria-hidden="true">{initial}</span> }.into_any()
        }
    }
}

/// The logo upload form: a plain multipart form (it works before the page's script has
/// loaded) posted to `/brand/<slug>/logo`, which redirects back with the outcome.
#[component]
fn LogoForm(slug: String, label: &'static str) -> impl IntoView {
    let input_id = format!("logo-{slug}");
    view! {
        <form class="upload-form" method="post" action=format!("/brand/{slug}/logo") enctype="multipart/form-data">
            <div class="field">
                <label class="field__label" for=input_id.clone()>{label}</label>
                <p class="field__hint" id=format!("{input_id}-hint")>"PNG, JPEG or WebP, at least 64×64 pixels, up to 1.5 MB. Square works best."</p>
                <input class="field__input" type="file" id=input_id.clone() name="logo" accept="image/png,image/jpeg,image/webp" required=true aria-describedby=format!("{input_id}-hint")/>
            </div>
            <button class="button button--secondary" type="submit">"Upload logo"</button>
        </form>
    }
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
            <UploadOutcome key="logo" saved="Logo saved."/>
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
                                let under_review = matches!(b.status, BrandStatus::Pending | BrandStatus::ChangesRequested);
                                let href = if b.role.is_some() {
                                    format!("/brand/{}", b.slug)
                                } else {
                                    "/brands".to_owned()
                                };
                                let slug = b.slug.clone();
                                view! {
                                    <li class="card-list__item">
                                        <A href=href attr:class="card-list__link card-list__link--media">
                                            <BrandLogo name=b.display_name.clone() url=b.logo_url.clone() size="brand-logo--sm"/>
                                            <span class="card-list__text">
                                                <span class="card-list__title">{b.display_name}</span>
                                                <span class="card-list__meta">
                                                    {status_badge(b.status)} " "
                                                    {b.role.map(|r| r.as_str().to_owned()).unwrap_or_else(|| "applicant".to_owned())}
                                                </span>
                                            </span>
                                        </A>
                                        {(under_review && b.role.is_none()).then(|| view! {
                                            <LogoForm slug label="Add your logo to the application"/>
                                        })}
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

/// Sections of the brand dashboard that later issues fill in.
const COMING_SECTIONS: &[&str] = &["Campaigns", "Stores", "Insights"];

/// The signed-in person's role in `slug`, from their brands list.
fn role_in(mine: &Resource<Result<Vec<MyBrand>, AppError>>, slug: &str) -> Option<BrandRole> {
    mine.get()
        .and_then(Result::ok)
        .and_then(|list| list.into_iter().find(|b| b.slug == slug))
        .and_then(|b| b.role)
}

/// Switches between the brands the person belongs to (shown when there are several). Read
/// under the dashboard's own Transition (README, "Architecture": one resource, one boundary).
#[component]
fn BrandSwitcher(slug: String, mine: Resource<Result<Vec<MyBrand>, AppError>>) -> impl IntoView {
    let slug = StoredValue::new(slug);
    view! {
            {move || {
                let others: Vec<MyBrand> = mine.get().and_then(Result::ok).unwrap_or_default()
                    .into_iter()
                    .filter(|b| b.role.is_some() && b.slug != slug.get_value())
                    .collect();
                (!others.is_empty()).then(|| view! {
                    <details class="switcher">
                        <summary class="switcher__toggle">"Switch brand"</summary>
                        <ul class="switcher__menu">
                            {others.into_iter().map(|b| view! {
                                <li>
                                    <A href=format!("/brand/{}", b.slug) attr:class="switcher__item">
                                        <BrandLogo name=b.display_name.clone() url=b.logo_url.clone() size="brand-logo--xs"/>
                                        {b.display_name}
                                    </A>
                                </li>
                            }).collect_view()}
                        </ul>
                    </details>
                })
            }}
    }
}

/// The dashboard's section tabs; `current` is "overview", "listings" or "team".
#[component]
pub fn DashboardNav(slug: String, current: &'static str) -> impl IntoView {
    let tab = |href: String, label: &'static str, key: &'static str| {
        let is_current = key == current;
        view! {
            <li>
                <A href=href attr:class=if is_current { "dashboard__tab dashboard__tab--current" } else { "dashboard__tab dashboard__tab--link" }>
                    {label}
                </A>
            </li>
        }
    };
    view! {
        <nav class="dashboard__nav" aria-label="Brand sections">
            <ul>
                {tab(format!("/brand/{slug}"), "Overview", "overview")}
                {tab(format!("/brand/{slug}/listings"), "Listings", "listings")}
                {tab(format!("/brand/{slug}/orders"), "Orders", "orders")}
                {tab(format!("/brand/{slug}/shows"), "Shows", "shows")}
                {tab(format!("/brand/{slug}/promotions"), "Promotions", "promotions")}
                {tab(format!("/brand/{slug}/team"), "Team", "team")}
                {COMING_SECTIONS.iter().map(|s| view! {
                    <li><span class="dashboard__tab dashboard__tab--soon" title="Coming soon">{*s}</span></li>
                }).collect_view()}
            </ul>
        </nav>
    }
}

/// `/brand/:slug`: the brand dashboard shell (members and admins).
#[component]
pub fn BrandDashboardPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.get().get("slug").unwrap_or_default();
    let brand = Resource::new(slug, brand_dashboard);
    let mine = Resource::new(|| (), |_| my_brands());
    view! {
        <Title text="Brand dashboard"/>
        <section class="container page">
            <UploadOutcome key="logo" saved="Logo saved."/>
            <Transition fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                {move || brand.get().map(|result| match result {
                    Ok(brand) => view! {
                        <div class="dashboard">
                            <div class="page__head dashboard__head">
                                <BrandLogo name=brand.display_name.clone() url=brand.logo_url.clone()/>
                                <h1>{brand.display_name.clone()}</h1>
                                {status_badge(brand.status)}
                                <BrandSwitcher slug=brand.slug.clone() mine/>
                            </div>
                            {(brand.status == BrandStatus::Suspended).then(|| view! {
                                <p class="form-alert" role="alert">
                                    "This brand is suspended: shoppers can't see it and the team can't sell. "
                                    {brand.review_note.clone().unwrap_or_default()}
                                </p>
                            })}
                            <DashboardNav slug=brand.slug.clone() current="overview"/>
                            <div class="panel">
                                <h2 class="panel__title">"Overview"</h2>
                                <dl class="facts">
                                    <dt>"Public page"</dt><dd><A href=format!("/b/{}", brand.slug)>{format!("/b/{}", brand.slug)}</A></dd>
                                    <dt>"Company"</dt><dd>{brand.legal_name.clone()}</dd>
                                    <dt>"Category"</dt><dd>{brand.category.clone()}</dd>
                                    <dt>"Country"</dt><dd>{brand.country.clone()}</dd>
                                    <dt>"Contact"</dt><dd>{brand.contact_email.clone()}</dd>
                                </dl>
                                {
                                    let slug = brand.slug.clone();
                                    move || role_in(&mine, &slug).is_some_and(|role| role >= BrandRole::Manager).then(|| view! {
                                        <LogoForm slug=slug.clone() label=if brand.logo_url.is_some() { "Change the logo" } else { "Add a logo" }/>
                                    })
                                }
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
            <crate::core::ui::AdminNav current="brands"/>
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
                <dt>"Applied"</dt><dd>{time::display(brand.submitted_at, Style::Stamp)}</dd>
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
    // Created beside `brand`, not by the view it renders (README, "Architecture").
    let listings = Resource::new(
        move || crate::catalog::SearchQuery {
            brand: Some(slug()),
            sort: Some(crate::catalog::SearchSort::Newest),
            ..Default::default()
        },
        crate::catalog::search_listings,
    );
    let offers = Resource::new(move || Some(slug()), crate::promotions::claimable_coupons);
    view! {
        <section class="container page">
            <Transition fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                {move || brand.get().map(|result| match result {
                    Ok(brand) => view! {
                        <Title text=brand.display_name.clone()/>
                        <Meta name="description" content=brand.description.clone()/>
                        <div class="brand-hero">
                            <BrandLogo name=brand.display_name.clone() url=brand.logo_url.clone()/>
                            <div>
                                <h1>{brand.display_name.clone()}</h1>
                                <p class="brand-hero__meta">{format!("{} · {}", brand.category, brand.country)}</p>
                            </div>
                        </div>
                        <p class="page__lead">{brand.description.clone()}</p>
                        <crate::promotions::CouponOffers offers/>
                        <BrandCatalog listings/>
                    }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFoundPage/> }.into_any(),
                    Err(error) => view! { <InlineError error/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

/// `/brand/:slug/team`: members, invitations and (for owners) API tokens.
#[component]
pub fn TeamPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.get().get("slug").unwrap_or_default();
    let invite = ServerAction::<InviteMember>::new();
    let change = ServerAction::<ChangeMemberRole>::new();
    let remove = ServerAction::<RemoveTeamMember>::new();
    let revoke = ServerAction::<RevokeBrandInvite>::new();
    let team = Resource::new(
        move || {
            (
                slug(),
                invite.version().get(),
                change.version().get(),
                remove.version().get(),
                revoke.version().get(),
            )
        },
        |(slug, ..)| brand_team(slug),
    );
    let invite_result: Signal<Option<Result<PendingInvite, AppError>>> = invite.value().into();
    let change_result: Signal<Option<Result<(), AppError>>> = change.value().into();
    let remove_result: Signal<Option<Result<(), AppError>>> = remove.value().into();
    let me = use_user().for_page();
    let my_id = move || me.get().and_then(|u| u.ok().flatten()).map(|u| u.id);
    view! {
        <Title text="Team"/>
        <section class="container page">
            <div class="page__head"><h1>"Team"</h1></div>
            <DashboardNav slug=slug() current="team"/>
            <FormAlert result=change_result/>
            <FormAlert result=remove_result/>
            <Transition fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                {move || team.get().map(|result| match result {
                    Ok(team) => view! {
                        <div class="panel">
                            <h2 class="panel__title">"Members"</h2>
                            <ul class="member-list">
                                {team.members.into_iter().map(|m| {
                                    let is_me = my_id() == Some(m.account_id.clone());
                                    let role_field = format!("role-{}", m.account_id);
                                    let (change_id, remove_id) = (m.account_id.clone(), m.account_id.clone());
                                    let current_role = m.role;
                                    view! {
                                        <li class="member">
                                            <div class="member__who">
                                                <span class="member__name">{m.display_name.clone()} {is_me.then_some(" (you)")}</span>
                                                <span class="member__email">{m.email.clone()}</span>
                                            </div>
                                            <ActionForm action=change attr:class="member__form">
                                                <input type="hidden" name="slug" value=slug()/>
                                                <input type="hidden" name="account_id" value=change_id/>
                                                <label class="visually-hidden" for=role_field.clone()>"Role"</label>
                                                <select class="field__input member__role" id=role_field name="role">
                                                    {[BrandRole::Owner, BrandRole::Manager, BrandRole::Staff].into_iter().map(|r| view! {
                                                        <option value=r.as_str() selected=r == current_role>{r.as_str()}</option>
                                                    }).collect_view()}
                                                </select>
                                                <button class="button button--secondary" type="submit">"Save"</button>
                                            </ActionForm>
                                            <ActionForm action=remove>
                                                <input type="hidden" name="slug" value=slug()/>
                                                <input type="hidden" name="account_id" value=remove_id/>
                                                <button class="button button--ghost" type="submit">"Remove"</button>
                                            </ActionForm>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            {(!team.invites.is_empty()).then(|| view! {
                                <h3>"Invitations"</h3>
                                <ul class="member-list">
                                    {team.invites.into_iter().map(|i| view! {
                                        <li class="member">
                                            <div class="member__who">
                                                <span class="member__name">{i.email.clone()}</span>
                                                <span class="member__email">{format!("{} · expires {}", i.role.as_str(), time::display(i.expires_at, Style::Date))}</span>
                                            </div>
                                            <ActionForm action=revoke>
                                                <input type="hidden" name="slug" value=slug()/>
                                                <input type="hidden" name="invite_id" value=i.id.clone()/>
                                                <button class="button button--ghost" type="submit">"Withdraw"</button>
                                            </ActionForm>
                                        </li>
                                    }).collect_view()}
                                </ul>
                            })}
                        </div>
                    }.into_any(),
                    Err(AppError::Unauthorized) => view! { <SignInPrompt message="Sign in to see your team." next="/brands"/> }.into_any(),
                    Err(error) => view! { <InlineError error/> }.into_any(),
                })}
            </Transition>
            <div class="panel">
                <h2 class="panel__title">"Invite someone"</h2>
                <ActionForm action=invite attr:class="form" attr:novalidate=true>
                    <FormAlert result=invite_result/>
                    <Show when=move || matches!(invite_result.get(), Some(Ok(_)))>
                        <p class="form-success" role="status">"Invitation sent."</p>
                    </Show>
                    <input type="hidden" name="slug" value=slug/>
                    <Field name="email" label="Email address" kind="email" autocomplete="off" errors=field_errors(invite_result, "email")/>
                    <div class="field">
                        <label class="field__label" for="field-invite-role">"Role"</label>
                        <select class="field__input" id="field-invite-role" name="role">
                            <option value="manager">"manager — listings, campaigns, shows"</option>
                            <option value="staff">"staff — stock, orders, chat"</option>
                        </select>
                    </div>
                    <button class="button button--primary" type="submit" disabled=move || invite.pending().get()>"Send invitation"</button>
                </ActionForm>
            </div>
            <ApiTokensPanel slug=slug()/>
        </section>
    }
}

/// Owners' API tokens: create (shown once), list, revoke.
#[component]
fn ApiTokensPanel(slug: String) -> impl IntoView {
    let create = ServerAction::<CreateBrandApiToken>::new();
    let revoke = ServerAction::<RevokeBrandApiToken>::new();
    let slug = StoredValue::new(slug);
    let tokens = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        move |_| brand_api_tokens(slug.get_value()),
    );
    let created: Signal<Option<Result<CreatedApiToken, AppError>>> = create.value().into();
    view! {
        <Transition fallback=|| ()>
            {move || tokens.get().map(|result| match result {
                // Only owners may see tokens; others simply don't get this panel.
                Err(_) => ().into_any(),
                Ok(list) => {
                    view! {
                        <div class="panel">
                            <h2 class="panel__title">"API tokens"</h2>
                            <p class="page__lead">"For your own systems (ERP, warehouse) calling Gala's API with Authorization: Bearer."</p>
                            {move || match created.get() {
                                Some(Ok(new)) => Some(view! {
                                    <div class="notice notice--success" role="status">
                                        <p>"Copy this token now — it won't be shown again:"</p>
                                        <code class="secret">{new.token}</code>
                                    </div>
                                }),
                                _ => None,
                            }}
                            <ul class="member-list">
                                {list.into_iter().map(|t| view! {
                                    <li class="member">
                                        <div class="member__who">
                                            <span class="member__name">{t.name.clone()}</span>
                                            <span class="member__email">{format!("{} · {}", t.scope.as_str(), if t.revoked { "revoked" } else { "active" })}</span>
                                        </div>
                                        {(!t.revoked).then(|| view! {
                                            <ActionForm action=revoke>
                                                <input type="hidden" name="slug" value=slug.get_value()/>
                                                <input type="hidden" name="token_id" value=t.id.clone()/>
                                                <button class="button button--ghost" type="submit">"Revoke"</button>
                                            </ActionForm>
                                        })}
                                    </li>
                                }).collect_view()}
                            </ul>
                            <ActionForm action=create attr:class="form" attr:novalidate=true>
                                <FormAlert result=created/>
                                <input type="hidden" name="slug" value=slug.get_value()/>
                                <Field name="name" label="Token name" errors=field_errors(created, "name")/>
                                <div class="field">
                                    <label class="field__label" for="field-token-scope">"Access"</label>
                                    <select class="field__input" id="field-token-scope" name="scope">
                                        <option value="read">"read"</option>
                                        <option value="write">"read and write"</option>
                                    </select>
                                </div>
                                <button class="button button--secondary" type="submit">"Create token"</button>
                            </ActionForm>
                        </div>
                    }.into_any()
                }
            })}
        </Transition>
    }
}

/// `/invites/accept?token=…`: join a brand's team.
#[component]
pub fn AcceptInvitePage() -> impl IntoView {
    let action = ServerAction::<AcceptBrandInvite>::new();
    let result = action.value();
    let query = leptos_router::hooks::use_query_map();
    let token = move || query.get().get("token").unwrap_or_default();
    let me = use_user().for_page();
    view! {
        <Title text="Join a brand"/>
        <section class="auth container">
            <div class="auth__card">
                <h1 class="auth__title">"Join a brand's team"</h1>
                {move || match result.get() {
                    Some(Ok(brand)) => view! {
                        <div class="notice notice--success" role="status">
                            <h2 class="notice__title">{format!("You joined {}", brand.display_name)}</h2>
                            <A href=format!("/brand/{}", brand.slug) attr:class="button button--primary">"Open the dashboard"</A>
                        </div>
                    }.into_any(),
                    other => {
                        let error = other.and_then(|r| r.err());
                        view! {
                            {error.map(|error| view! { <InlineError error/> })}
                            <Transition fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                                {move || me.get().map(|user| if matches!(user, Ok(Some(_))) {
                                    view! {
                                        <ActionForm action=action attr:class="form">
                                            <input type="hidden" name="token" value=token/>
                                            <button class="button button--primary button--block" type="submit">"Accept the invitation"</button>
                                        </ActionForm>
                                    }.into_any()
                                } else {
                                    view! {
                                        <p>"Sign in with the address the invitation was sent to. New to Gala? Create an account with that address first, then come back to this link."</p>
                                        <div class="button-row">
                                            <A href=format!("/signin?next=/invites/accept?token={}", token()) attr:class="button button--primary">"Sign in"</A>
                                            <A href="/signup" attr:class="button button--secondary">"Create an account"</A>
                                        </div>
                                    }.into_any()
                                })}
                            </Transition>
                        }.into_any()
                    }
                }}
            </div>
        </section>
    }
}

/// A brand's published listings, on its public page.
#[component]
fn BrandCatalog(
    listings: Resource<Result<crate::catalog::ListingPage, AppError>>,
) -> impl IntoView {
    view! {
        <h2>"Shop the collection"</h2>
        <Transition fallback=|| view! { <Skeleton class="skeleton--card"/> }>
            {move || listings.get().map(|result| match result {
                Ok(page) => view! { <crate::catalog::ListingGrid page empty="This brand hasn't published anything yet. Check back soon."/> }.into_any(),
                Err(error) => view! { <InlineError error/> }.into_any(),
            })}
        </Transition>
    }
}
