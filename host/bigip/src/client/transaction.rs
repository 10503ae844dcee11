//! iControl REST transactions: requests sent with `X-F5-REST-Coordination-Id` are queued, and a
//! `PATCH {"state":"VALIDATING"}` applies them all or none.

use reqwest::Method;
use serde_json::{Value, json};

use super::{Client, Error};
use crate::wire;

/// An open transaction. Dropping it without [`Transaction::commit`] leaves it to expire on the
/// device (120 s on 12.x), which applies nothing.
#[derive(Debug)]
pub struct Transaction {
    client: Client,
    id: u64,
}

impl Transaction {
    pub(super) fn new(client: Client, id: u64) -> Transaction {
        Transaction { client, id }
    }

    /// The device's `transId`.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Queues `method path body`; the device answers with the queued command, not the object.
    pub async fn queue(
        &self,
        method: Method,
        path: &str,
        body: &Value,
    ) -> Result<wire::TransactionCommand, Error> {
        self.client
            .send(
                method,
                path,
                Some(body),
                Some(self.id),
                "transaction command",
            )
            .await
    }

    /// Applies every queued command, or none of them; fails unless the device reports `COMPLETED`.
    pub async fn commit(self) -> Result<(), Error> {
        let path = format!("/mgmt/tm/transaction/{}", self.id);
        let body = json!({ "state": "VALIDATING" });
        let done: wire::Transaction = self
            .client
            .send(Method::PATCH, &path, Some(&body), None, "transaction")
            .await?;
        if done.state != "COMPLETED" {
            return Err(Error::Protocol {
                url: self.client.url(&path),
                reason: format!(
                    "transaction {} ended in state {:?}, expected COMPLETED",
                    self.id, done.state
                ),
            });
        }
        Ok(())
    }

    /// Discards the transaction and everything queued in it.
    pub async fn rollback(self) -> Result<(), Error> {
        let path = format!("/mgmt/tm/transaction/{}", self.id);
        self.client
            .execute(Method::DELETE, &path, None, None)
            .await
            .map(drop)
    }
}
