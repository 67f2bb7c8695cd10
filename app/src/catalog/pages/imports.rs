//! `/brand/<slug>/imports`: uploading a catalog CSV, and each import job's progress and
//! report.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_params_map, use_query_map},
};

use crate::catalog::{catalog_import, catalog_imports, ImportJob, ImportProblem, ImportStatus};
use crate::core::time::{self, Style};
use crate::core::ui::{InlineError, SignInPrompt, Skeleton};
use crate::core::AppError;

use super::slug_param;

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
                                                <span>{time::display(job.created_at, Style::Stamp)}</span>
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
