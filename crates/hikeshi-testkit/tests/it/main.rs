//! The one integration test binary: store conformance, the HTTP API, the audit chain,
//! export/import, migrations and the OpenAPI snapshot — each on every available backend.

mod api;
mod audit;
mod export;
mod mailimap;
mod mailimport;
mod mailjis;
mod mailout;
mod mailpgp;
mod mailtls;
mod migrations;
mod openapi;
mod store_conformance;
mod webform_ack;
