//! Which handler answers which path: the authenticated iControl REST routes (tokens, LTM,
//! transactions and the built-in `net`, `sys` and `cm` collections), login, the admin
//! endpoint, and restjavad's 404 for everything else.

use std::sync::Arc;

use axum::Router;
use axum::middleware;
use axum::routing::{any, get, post, put};

use super::answers::not_registered;
use super::auth::{authenticate, echo};
use super::shared::Shared;
use super::transactions::commands::{delete_command, list_commands, read_command, reorder_command};
use super::transactions::{
    commit_transaction, create_transaction, delete_transaction, read_transaction,
};
use super::{admin, catalog, ltm, tokens};

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let authenticated = Router::new()
        .route("/mgmt/shared/echo-query", get(echo))
        .route("/mgmt/shared/authz/tokens", get(tokens::list_tokens))
        .route(
            "/mgmt/shared/authz/tokens/{token}",
            get(tokens::read_token)
                .patch(tokens::extend_token)
                .delete(tokens::delete_token),
        )
        .route("/mgmt/tm/sys", any(catalog::read))
        .route("/mgmt/tm/sys/{*rest}", any(catalog::read))
        .route("/mgmt/tm/net/{*rest}", any(catalog::read))
        .route("/mgmt/tm/cm/{*rest}", any(catalog::read))
        .route("/mgmt/tm/ltm/{*rest}", any(ltm::ltm))
        .route("/mgmt/tm/transaction", post(create_transaction))
        .route(
            "/mgmt/tm/transaction/{id}",
            get(read_transaction)
                .patch(commit_transaction)
                .delete(delete_transaction),
        )
        .route("/mgmt/tm/transaction/{id}/commands", get(list_commands))
        .route(
            "/mgmt/tm/transaction/{id}/commands/{command}",
            get(read_command)
                .patch(reorder_command)
                .delete(delete_command),
        )
        .route_layer(middleware::from_fn_with_state(shared.clone(), authenticate));
    Router::new()
        .merge(authenticated)
        .route("/mgmt/shared/authn/login", post(tokens::login))
        .route("/fulcrum-sim/counters", get(admin::counters))
        .route("/fulcrum-sim/counters/reset", post(admin::reset_counters))
        .route(
            "/fulcrum-sim/faults",
            get(admin::faults).put(admin::set_faults),
        )
        .route("/fulcrum-sim/member-load", put(admin::member_load))
        .fallback(not_registered)
        .with_state(shared)
}
