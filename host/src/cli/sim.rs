//! `host sim bigip|gce`: run a simulator in the foreground, for trying a
//! policy or a client against it.

use clap::{Args, Subcommand};

use super::Failure;

#[derive(Debug, Args)]
pub(super) struct SimCommand {
    #[command(subcommand)]
    which: Which,
}

#[derive(Debug, Subcommand)]
enum Which {
    /// A BIG-IP LTM speaking iControl REST over HTTPS.
    Bigip(fulcrum_bigip::sim::SimArgs),
    /// Google Compute Engine speaking Compute v1 REST.
    Gce(fulcrum_gce::sim::SimArgs),
}

pub(super) fn sim(command: SimCommand) -> Result<(), Failure> {
    super::block_on(async {
        match command.which {
            Which::Bigip(args) => {
                let running = fulcrum_bigip::sim::start(args.options())
                    .await
                    .map_err(Failure::usage)?;
                println!("BIG-IP simulator on {}", running.base_url());
                println!("its CA certificate:\n{}", running.ca_pem());
                running.wait().await;
            }
            Which::Gce(args) => {
                let server = fulcrum_gce::sim::start(args.options())
                    .await
                    .map_err(Failure::usage)?;
                println!("GCE simulator on {}", server.api_root());
                std::future::pending::<()>().await;
            }
        }
        Ok(())
    })
}
