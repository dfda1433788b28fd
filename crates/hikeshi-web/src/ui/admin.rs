//! `/admin`: users and roles, constituencies (netblocks, domains), API tokens. Users and
//! constituencies are for admins; everyone manages their own tokens here.

use super::ctx::{Ctx, Ui};
use super::errors::{Fields, Out, back, check_csrf, message, render, status};
use super::view::Opt;
use askama::Template;
use axum::Form;
use axum::extract::Path;
use axum::http::StatusCode;
use hikeshi_core::Error;
use hikeshi_core::app::{NewConstituency, NewToken, NewUser};
use hikeshi_core::ids::TokenId;
use hikeshi_core::model::Role;

pub struct UserRow {
    pub username: String,
    pub display_name: String,
    pub role: &'static str,
    pub scope: String,
    pub disabled: bool,
}

pub struct ConstRow {
    pub slug: String,
    pub name: String,
    pub netblocks: String,
    pub domains: String,
}

pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub user: String,
    pub scopes: String,
    pub created: String,
    pub revoked: bool,
}

#[derive(Template)]
#[template(path = "admin.html")]
pub struct AdminPage {
    pub ctx: Ctx,
    pub is_admin: bool,
    pub users: Vec<UserRow>,
    pub constituencies: Vec<ConstRow>,
    pub tokens: Vec<TokenRow>,
    pub role_opts: Vec<Opt>,
    pub const_opts: Vec<Opt>,
    pub form: Fields,
    pub error: Option<String>,
    pub secret: Option<String>,
}

async fn show(
    ui: Ui,
    form: Fields,
    error: Option<(StatusCode, String)>,
    secret: Option<String>,
) -> Out {
    let is_admin = ui.actor.require_admin().is_ok();
    let ctx = &ui.ctx;
    let cs = ui
        .app
        .list_constituencies(&ui.actor)
        .await
        .unwrap_or_default();
    let cname = |id: &hikeshi_core::ids::ConstituencyId| {
        cs.iter()
            .find(|c| c.id == *id)
            .map(|c| c.slug.clone())
            .unwrap_or_default()
    };
    let all_users = if is_admin {
        ui.app.list_users(&ui.actor).await.unwrap_or_default()
    } else {
        vec![]
    };
    let users = all_users
        .iter()
        .map(|u| UserRow {
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: ctx.t(&format!("role.{}", u.role)),
            scope: if u.global || u.role == Role::Admin {
                ctx.t("admin.all-constituencies").to_string()
            } else {
                u.constituencies
                    .iter()
                    .map(cname)
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            disabled: u.disabled,
        })
        .collect();
    let uname = |id| {
        all_users
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.username.clone())
            .unwrap_or_else(|| ui.actor.username.clone())
    };
    let tokens = ui
        .app
        .list_tokens(&ui.actor)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|t| TokenRow {
            id: t.id.to_string(),
            user: uname(t.user),
            name: t.name,
            scopes: t.scopes.join(", "),
            created: ctx.date(&t.created_at),
            revoked: t.revoked,
        })
        .collect();
    let constituencies = if is_admin {
        cs.iter()
            .map(|c| ConstRow {
                slug: c.slug.clone(),
                name: c.name.clone(),
                netblocks: c
                    .netblocks
                    .iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                domains: c.domains.join(", "),
            })
            .collect()
    } else {
        vec![]
    };
    let role = match form.get("role") {
        "" => "handler",
        r => r,
    };
    let chosen = form.all("constituencies");
    let page = AdminPage {
        is_admin,
        users,
        constituencies,
        tokens,
        role_opts: Opt::list(ctx, "role", Role::ALL, role),
        const_opts: cs
            .iter()
            .map(|c| Opt {
                selected: chosen.contains(&c.slug),
                value: c.slug.clone(),
                label: c.name.clone(),
            })
            .collect(),
        form,
        error: error.as_ref().map(|(_, m)| m.clone()),
        secret,
        ctx: ui.ctx.clone(),
    };
    Ok(render(
        error.map(|(c, _)| c).unwrap_or(StatusCode::OK),
        &page,
    ))
}

pub async fn page(ui: Ui) -> Out {
    show(ui, Fields::default(), None, None).await
}

async fn finish<T>(ui: Ui, f: Fields, r: Result<T, Error>) -> Out {
    match r {
        Ok(_) => back("/admin"),
        Err(e) => {
            let m = (status(&e), message(&ui.ctx, &e));
            show(ui, f, Some(m), None).await
        }
    }
}

pub async fn create_user(ui: Ui, Form(f): Form<Vec<(String, String)>>) -> Out {
    let f = Fields(f);
    check_csrf(&ui, &f)?;
    let r = match Role::parse_field(f.get("role"), "role") {
        Ok(role) => {
            let input = NewUser {
                username: f.get("username").into(),
                display_name: f.opt("display_name"),
                email: f.opt("email"),
                role: Some(role),
                global: f.get("global") == "on",
                constituencies: f.all("constituencies"),
                password: f.opt("password"),
            };
            ui.app.create_user(&ui.actor, input).await
        }
        Err(e) => Err(e),
    };
    finish(ui, f, r).await
}

pub async fn create_constituency(ui: Ui, Form(f): Form<Vec<(String, String)>>) -> Out {
    let f = Fields(f);
    check_csrf(&ui, &f)?;
    let input = NewConstituency {
        slug: f.get("slug").into(),
        name: f.get("name").into(),
        netblocks: f.lines("netblocks"),
        domains: f.lines("domains"),
        ..Default::default()
    };
    let r = ui.app.create_constituency(&ui.actor, input).await;
    finish(ui, f, r).await
}

/// Creates a token and shows its secret once (in this response only).
pub async fn create_token(ui: Ui, Form(f): Form<Vec<(String, String)>>) -> Out {
    let f = Fields(f);
    check_csrf(&ui, &f)?;
    let input = NewToken {
        user: f.opt("user"),
        name: f.opt("name"),
        scopes: f.all("scopes"),
    };
    match ui.app.create_token(&ui.actor, input).await {
        Ok((_, secret)) => show(ui, Fields::default(), None, Some(secret)).await,
        Err(e) => finish::<()>(ui, f, Err(e)).await,
    }
}

pub async fn revoke_token(
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Out {
    let f = Fields(f);
    check_csrf(&ui, &f)?;
    let r = match TokenId::parse(&id) {
        Some(t) => ui.app.revoke_token(&ui.actor, t).await,
        None => Err(Error::NotFound),
    };
    finish(ui, f, r).await
}
