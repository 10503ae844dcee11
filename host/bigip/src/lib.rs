//! F5 BIG-IP LTM over iControl REST.
