//! The JSON of a transaction (`tm:transactionstate`) and of a queued command
//! (`tm:transaction:commandsstate`), as the device echoes them.

use serde_json::{Value, json};

use super::{Command, PendingTransaction};
use crate::sim::state::Link;

/// A queued command as the device echoes it.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CommandBody<'a> {
    method: &'a str,
    uri: LocalUri<'a>,
    body: &'a Value,
    eval_order: u32,
    command_id: u32,
    kind: &'static str,
    self_link: Link<'a, CommandPath>,
}

/// `https://localhost{path}`.
struct LocalUri<'a>(&'a str);

impl serde::Serialize for LocalUri<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&format_args!("https://localhost{}", self.0))
    }
}

/// `/mgmt/tm/transaction/<id>/commands/<command>`.
struct CommandPath {
    transaction: u64,
    command: u32,
}

impl std::fmt::Display for CommandPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "/mgmt/tm/transaction/{}/commands/{}",
            self.transaction, self.command
        )
    }
}

pub(crate) fn render_command<'a>(
    id: u64,
    command: &'a Command,
    version: &'a str,
) -> CommandBody<'a> {
    CommandBody {
        method: &command.method,
        uri: LocalUri(&command.path),
        body: &command.body,
        eval_order: command.eval_order,
        command_id: command.id,
        kind: "tm:transaction:commandsstate",
        self_link: Link {
            path: CommandPath {
                transaction: id,
                command: command.id,
            },
            version,
        },
    }
}

pub(super) fn render_transaction(
    id: u64,
    transaction: &PendingTransaction,
    version: &str,
) -> Value {
    json!({
        "transId": id, "state": transaction.state, "timeoutSeconds": transaction.timeout_secs,
        "asyncExecution": false, "validateOnly": false, "executionTimeout": 300, "executionTime": 0,
        "failureReason": "", "kind": "tm:transactionstate",
        "selfLink": format!("https://localhost/mgmt/tm/transaction/{id}?ver={version}"),
    })
}
