//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use crate::api::{admin, approvals, handling, incidents, notify, reports, system, triage, work};
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

#[derive(OpenApi)]
#[openapi(
    info(title = "Hikeshi API", description = "Incident management for CSIRTs. Errors are RFC 9457 problem+json naming the field."),
    paths(
        system::healthz, system::readyz, system::noop, system::login, system::logout, system::me,
        incidents::create, incidents::list, incidents::get, incidents::patch, incidents::merge, incidents::history,
        incidents::reports, incidents::children,
        reports::create, reports::list, reports::get, reports::patch, reports::link, reports::history, reports::raw, reports::raw_download,
        work::add_entry, work::entries, work::upload, work::attachments, work::download,
        work::create_investigation, work::investigations, work::get_investigation, work::patch_investigation,
        work::create_countermeasure, work::countermeasures, work::get_countermeasure, work::patch_countermeasure,
        admin::users, admin::create_user, admin::patch_user, admin::constituencies, admin::create_constituency,
        admin::get_constituency, admin::patch_constituency, admin::create_token, admin::tokens, admin::revoke_token,
        admin::verify_audit, crate::api::extract::extract, crate::api::lookup::lookup,
        handling::create_playbook, handling::playbooks, handling::playbook_versions, handling::revise_playbook,
        handling::apply_playbook, handling::tasks, handling::get_task, handling::patch_task, handling::add_evidence,
        handling::add_plan, handling::add_verification, handling::add_review, handling::handling,
        approvals::request, approvals::pending, approvals::get, approvals::decide, approvals::of_countermeasure,
        approvals::delegate, approvals::delegations,
        notify::list, notify::mark_read, notify::create_webhook, notify::webhooks, notify::patch_webhook, notify::deliveries,
        crate::api::keys::list, crate::api::keys::add, crate::api::keys::remove, crate::api::keys::team_key,
        crate::api::keys::wkd, crate::api::keys::wkd_policy, crate::api::keys::decrypted_download,
        triage::rules, triage::save_rules, triage::rule_versions, triage::dry_run, triage::report_triage, triage::incident_sla,
        triage::sla_config, triage::save_sla_config, triage::near_breach, triage::sweep, triage::notification_requests,
        triage::attach_deadlines, triage::incident_deadlines, triage::submit_deadline, triage::deadlines_due,
        triage::presets, triage::add_preset,
        crate::api::observables::list, crate::api::observables::add, crate::api::observables::reextract,
        crate::api::observables::get, crate::api::observables::patch, crate::api::observables::delete,
        crate::api::alerts::create, crate::api::documents::create,
        crate::api::mail::send, crate::api::mail::list,
    ),
    modifiers(&Security),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let c = api.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The document as pretty JSON (stable order: snapshotted in a test).
pub fn document() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|_| "{}".into())
}
