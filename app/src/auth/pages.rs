//! Sign-up, sign-in, email verification, password reset and the account page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_query_map},
};

use super::{
    get_current_user, ChangePassword, CurrentUser, RequestPasswordReset, ResendVerification,
    ResetPassword, SignIn, SignOut, SignOutEverywhere, SignUp, UpdateProfile, VerifyEmail,
};
use crate::core::links::local_path;
use crate::core::ui::{field_errors, Field, FormAlert, InlineError, SignInPrompt, Skeleton};
use crate::core::AppError;

/// Who is signed in, shared by the header and every page; `refresh` reloads it.
#[derive(Clone, Copy)]
pub struct UserContext {
    /// Read by the header's boundary; a page that shows the person under its own boundary
    /// takes [`UserContext::for_page`] instead.
    pub user: Resource<Result<Option<CurrentUser>, AppError>>,
    refresh: RwSignal<u32>,
}

impl UserContext {
    /// The signed-in person for a page's own Suspense or Transition, reloaded with the
    /// header's. Call it at the top of the page component, never inside a boundary (README,
    /// "Architecture": one resource, one boundary).
    pub fn for_page(&self) -> Resource<Result<Option<CurrentUser>, AppError>> {
        let refresh = self.refresh;
        Resource::new(move || refresh.get(), |_| get_current_user())
    }

    /// Changes whenever the signed-in person may have (see [`UserContext::refresh`]): the
    /// source for resources that follow the person without reading the person's resource,
    /// which would make them wait for it and fetch twice.
    pub fn generation(&self) -> u32 {
        self.refresh.get()
    }

    /// Reloads the signed-in person (after signing in or out).
    pub fn refresh(&self) {
        self.refresh.update(|n| *n += 1);
    }
}

/// Provides [`UserContext`]; called once by the app.
pub fn provide_user_context() {
    let refresh = RwSignal::new(0u32);
    let user = Resource::new(move || refresh.get(), |_| get_current_user());
    provide_context(UserContext { user, refresh });
}

/// The [`UserContext`] provided by the app.
pub fn use_user() -> UserContext {
    expect_context::<UserContext>()
}

/// The header's account link: "Sign in" or the person's name.
#[component]
pub fn AccountLink() -> impl IntoView {
    let ctx = use_user();
    view! {
        <Transition fallback=|| view! { <span class="account-link account-link--loading"></span> }>
            {move || ctx.user.get().map(|user| match user {
                Ok(Some(user)) => view! {
                    <A href="/account" attr:class="account-link">{user.display_name}</A>
                }.into_any(),
                _ => view! { <A href="/signin" attr:class="account-link">"Sign in"</A> }.into_any(),
            })}
        </Transition>
    }
}

/// A card-shaped page for a short form.
#[component]
fn AuthCard(#[prop(into)] title: String, children: Children) -> impl IntoView {
    view! {
        <Title text=title.clone()/>
        <section class="auth container">
            <div class="auth__card">
                <h1 class="auth__title">{title}</h1>
                {children()}
            </div>
        </section>
    }
}

/// `/signup`
#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    let result: Signal<Option<Result<(), AppError>>> = action.value().into();
    let succeeded = move || matches!(result.get(), Some(Ok(())));
    view! {
        <AuthCard title="Create your account">
            <Show
                when=succeeded
                fallback=move || view! {
                    <ActionForm action=action attr:class="form" attr:novalidate=true>
                        <FormAlert result/>
                        <Field name="display_name" label="Your name" autocomplete="name" errors=field_errors(result, "display_name")/>
                        <Field name="email" label="Email" kind="email" autocomplete="email" errors=field_errors(result, "email")/>
                        <Field
                            name="password"
                            label="Password"
                            kind="password"
                            autocomplete="new-password"
                            hint="At least 8 characters. Avoid common passwords."
                            errors=field_errors(result, "password")
                        />
                        <button class="button button--primary button--block" type="submit" disabled=move || action.pending().get()>
                            {move || if action.pending().get() { "Creating account…" } else { "Create account" }}
                        </button>
                    </ActionForm>
                    <p class="auth__alt">"Already have an account? " <A href="/signin">"Sign in"</A></p>
                }
            >
                <div class="notice notice--success" role="status">
                    <h2 class="notice__title">"Check your inbox"</h2>
                    <p>"We sent you a link to verify your email address. You can sign in already; verify to buy and to manage a brand."</p>
                    <A href="/signin" attr:class="button button--primary">"Sign in"</A>
                </div>
            </Show>
        </AuthCard>
    }
}

/// `/signin`
#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let result: Signal<Option<Result<CurrentUser, AppError>>> = action.value().into();
    let ctx = use_user();
    let navigate = use_navigate();
    let query = use_query_map();
    Effect::new(move |_| {
        if let Some(Ok(_)) = result.get() {
            ctx.refresh();
            // Only paths on Gala: never send anyone to another site.
            let next = query
                .get_untracked()
                .get("next")
                .and_then(|next| local_path(&next))
                .unwrap_or_else(|| "/account".to_owned());
            navigate(&next, Default::default());
        }
    });
    view! {
        <AuthCard title="Sign in">
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <FormAlert result/>
                <input type="hidden" name="next" value=move || query.get().get("next").and_then(|next| local_path(&next)).unwrap_or_default()/>
                <Field name="email" label="Email" kind="email" autocomplete="email" errors=field_errors(result, "email")/>
                <Field name="password" label="Password" kind="password" autocomplete="current-password" errors=field_errors(result, "password")/>
                <button class="button button--primary button--block" type="submit" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
            <p class="auth__alt"><A href="/forgot-password">"Forgot your password?"</A></p>
            <p class="auth__alt">"New to Gala? " <A href="/signup">"Create an account"</A></p>
        </AuthCard>
    }
}

/// `/verify-email?token=…`: a button, because following a link (GET) must not change state.
#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let action = ServerAction::<VerifyEmail>::new();
    let result: Signal<Option<Result<(), AppError>>> = action.value().into();
    let query = use_query_map();
    let token = move || query.get().get("token").unwrap_or_default();
    let ctx = use_user();
    Effect::new(move |_| {
        if let Some(Ok(())) = result.get() {
            ctx.refresh();
        }
    });
    view! {
        <AuthCard title="Verify your email">
            <Show
                when=move || matches!(result.get(), Some(Ok(())))
                fallback=move || view! {
                    <ActionForm action=action attr:class="form">
                        <FormAlert result/>
                        <input type="hidden" name="token" value=token/>
                        <p>"Confirm that this email address is yours."</p>
                        <button class="button button--primary button--block" type="submit" disabled=move || action.pending().get()>
                            "Verify my email"
                        </button>
                    </ActionForm>
                }
            >
                <div class="notice notice--success" role="status">
                    <h2 class="notice__title">"Your email is verified"</h2>
                    <p>"Thank you! You can now buy on Gala and manage brands."</p>
                    <A href="/account" attr:class="button button--primary">"Go to your account"</A>
                </div>
            </Show>
        </AuthCard>
    }
}

/// `/forgot-password`
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    let result: Signal<Option<Result<(), AppError>>> = action.value().into();
    view! {
        <AuthCard title="Reset your password">
            <Show
                when=move || matches!(result.get(), Some(Ok(())))
                fallback=move || view! {
                    <ActionForm action=action attr:class="form" attr:novalidate=true>
                        <FormAlert result/>
                        <p>"Enter the email address of your account and we'll mail you a link to choose a new password."</p>
                        <Field name="email" label="Email" kind="email" autocomplete="email" errors=field_errors(result, "email")/>
                        <button class="button button--primary button--block" type="submit" disabled=move || action.pending().get()>
                            "Send reset link"
                        </button>
                    </ActionForm>
                }
            >
                <div class="notice notice--success" role="status">
                    <h2 class="notice__title">"Check your inbox"</h2>
                    <p>"If an account uses that address, a reset link is on its way. It works once, for one hour."</p>
                </div>
            </Show>
            <p class="auth__alt"><A href="/signin">"Back to sign in"</A></p>
        </AuthCard>
    }
}

/// `/reset-password?token=…`
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let action = ServerAction::<ResetPassword>::new();
    let result: Signal<Option<Result<(), AppError>>> = action.value().into();
    let query = use_query_map();
    let token = move || query.get().get("token").unwrap_or_default();
    view! {
        <AuthCard title="Choose a new password">
            <Show
                when=move || matches!(result.get(), Some(Ok(())))
                fallback=move || view! {
                    <ActionForm action=action attr:class="form" attr:novalidate=true>
                        <FormAlert result/>
                        <input type="hidden" name="token" value=token/>
                        <Field
                            name="password"
                            label="New password"
                            kind="password"
                            autocomplete="new-password"
                            hint="At least 8 characters. You'll be signed out on every device."
                            errors=field_errors(result, "password")
                        />
                        <button class="button button--primary button--block" type="submit" disabled=move || action.pending().get()>
                            "Set new password"
                        </button>
                    </ActionForm>
                }
            >
                <div class="notice notice--success" role="status">
                    <h2 class="notice__title">"Password changed"</h2>
                    <p>"Sign in with your new password."</p>
                    <A href="/signin" attr:class="button button--primary">"Sign in"</A>
                </div>
            </Show>
        </AuthCard>
    }
}

/// `/account`: profile, verification, password and sessions.
#[component]
pub fn AccountPage() -> impl IntoView {
    let user = use_user().for_page();
    view! {
        <Title text="Your account"/>
        <section class="account container">
            <h1>"Your account"</h1>
            <Transition fallback=|| view! { <Skeleton class="skeleton--card"/> }>
                {move || user.get().map(|user| match user {
                    Ok(Some(user)) => view! { <AccountDetails user/> }.into_any(),
                    Ok(None) => view! { <SignInPrompt message="Sign in to see your account." next="/account"/> }.into_any(),
                    Err(error) => view! { <InlineError error/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn AccountDetails(user: CurrentUser) -> impl IntoView {
    let ctx = use_user();
    let navigate = use_navigate();
    let sign_out = ServerAction::<SignOut>::new();
    let sign_out_everywhere = ServerAction::<SignOutEverywhere>::new();
    let resend = ServerAction::<ResendVerification>::new();
    let change = ServerAction::<ChangePassword>::new();
    let rename = ServerAction::<UpdateProfile>::new();
    let rename_result: Signal<Option<Result<(), AppError>>> = rename.value().into();
    Effect::new(move |_| {
        if let Some(Ok(())) = rename_result.get() {
            ctx.refresh();
        }
    });
    let change_result: Signal<Option<Result<(), AppError>>> = change.value().into();
    let resend_result: Signal<Option<Result<(), AppError>>> = resend.value().into();
    Effect::new(move |_| {
        let signed_out = matches!(sign_out.value().get(), Some(Ok(())))
            || matches!(sign_out_everywhere.value().get(), Some(Ok(())));
        if signed_out {
            ctx.refresh();
            navigate("/", Default::default());
        }
    });
    view! {
        <div class="account__grid">
            <div class="panel">
                <h2 class="panel__title">"Profile"</h2>
                <dl class="facts">
                    <dt>"Name"</dt><dd>{user.display_name.clone()}</dd>
                    <dt>"Email"</dt>
                    <dd>
                        {user.email.clone()} " "
                        {if user.email_verified {
                            view! { <span class="badge badge--success">"Verified"</span> }.into_any()
                        } else {
                            view! { <span class="badge badge--warning">"Not verified"</span> }.into_any()
                        }}
                    </dd>
                    {user.is_platform_admin.then(|| view! { <dt>"Role"</dt><dd>"Platform admin"</dd> })}
                </dl>
                <ActionForm action=rename attr:class="form form--inline" attr:novalidate=true>
                    <FormAlert result=rename_result/>
                    <Field
                        name="display_name"
                        label="Display name"
                        autocomplete="name"
                        value=user.display_name.clone()
                        errors=field_errors(rename_result, "display_name")
                    />
                    <button class="button button--secondary" type="submit" disabled=move || rename.pending().get()>"Save name"</button>
                </ActionForm>
                <p class="form--inline"><A href="/orders" attr:class="button button--secondary">"Your orders"</A></p>
                {(!user.email_verified).then(|| view! {
                    <ActionForm action=resend attr:class="form form--inline">
                        <FormAlert result=resend_result/>
                        <Show when=move || matches!(resend_result.get(), Some(Ok(())))>
                            <p class="form-success" role="status">"We sent a new verification link."</p>
                        </Show>
                        <button class="button button--secondary" type="submit">"Resend verification email"</button>
                    </ActionForm>
                })}
            </div>
            <div class="panel">
                <h2 class="panel__title">"Change password"</h2>
                <ActionForm action=change attr:class="form" attr:novalidate=true>
                    <FormAlert result=change_result/>
                    <Show when=move || matches!(change_result.get(), Some(Ok(())))>
                        <p class="form-success" role="status">"Password changed. Your other devices were signed out."</p>
                    </Show>
                    <Field name="current_password" label="Current password" kind="password" autocomplete="current-password" errors=field_errors(change_result, "current_password")/>
                    <Field name="new_password" label="New password" kind="password" autocomplete="new-password" errors=field_errors(change_result, "new_password")/>
                    <button class="button button--primary" type="submit" disabled=move || change.pending().get()>"Change password"</button>
                </ActionForm>
            </div>
            <div class="panel">
                <h2 class="panel__title">"Sessions"</h2>
                <div class="button-row">
                    <ActionForm action=sign_out>
                        <button class="button button--primary" type="submit">"Sign out"</button>
                    </ActionForm>
                    <ActionForm action=sign_out_everywhere>
                        <button class="button button--secondary" type="submit">"Sign out everywhere"</button>
                    </ActionForm>
                </div>
            </div>
        </div>
    }
}
