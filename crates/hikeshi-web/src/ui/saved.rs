//! Saved searches: `POST /saved-searches` (a list page with its query, under a name) and
//! `POST /saved-searches/{id}/delete`. Shown on the home page.

use super::ctx::Ui;
use super::errors::{Fields, OrPage, Out, back, check_csrf};
use axum::Form;
use axum::extract::Path;

pub async fn save(ui: Ui, Form(f): Form<Vec<(String, String)>>) -> Out {
    let f = Fields(f);
    check_csrf(&ui, &f)?;
    let path = f.get("path").to_string();
    ui.app
        .save_search(&ui.actor, f.get("name"), &path)
        .await
        .or_page(&ui)?;
    back(&path)
}

pub async fn delete(ui: Ui, Path(id): Path<String>, Form(f): Form<Vec<(String, String)>>) -> Out {
    let f = Fields(f);
    check_csrf(&ui, &f)?;
    ui.app
        .delete_saved_search(&ui.actor, &id)
        .await
        .or_page(&ui)?;
    back("/")
}
