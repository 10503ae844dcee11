//! Google Compute Engine over Compute v1 REST.
