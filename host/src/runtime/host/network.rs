//! `wasi:http/outgoing-handler` and `wasi:http/types`, linked so that a
//! JavaScript policy (whose toolchain imports them by default) loads, and
//! denying every request: the guest may build one, but sending it fails with
//! `http-request-denied` before anything leaves the host. (`wasi:sockets` is
//! denied by the WASI context, `super::super::sandbox`.)

use wasmtime_wasi_http::{
    Error, RequestOptions, WasiBody, WasiHttpCtxView, WasiHttpHooks, WasiHttpView,
};

use super::EvalState;

/// The HTTP hooks of the sandbox: no request is ever sent.
#[derive(Debug, Default)]
pub(crate) struct DenyHttp;

impl WasiHttpHooks for DenyHttp {
    fn send_request(
        &mut self,
        _request: http::Request<WasiBody>,
        _options: Option<RequestOptions>,
        _fut: Box<dyn Future<Output = Result<(), Error>> + Send>,
    ) -> Box<
        dyn Future<
                Output = Result<
                    (
                        http::Response<WasiBody>,
                        Box<dyn Future<Output = Result<(), Error>> + Send>,
                    ),
                    Error,
                >,
            > + Send,
    > {
        Box::new(async { Err(Error::HttpRequestDenied) })
    }
}

impl WasiHttpView for EvalState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.deny_http,
        }
    }
}
