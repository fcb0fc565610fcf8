//! Host programs for iomt: the end-to-end gateway demo and its simulated devices.
//!
//! - [`audit_store`]: the gateway's RAM ring for iomt-auth's audit log.
//! - [`authority`]: the consent authority (issues signed, bound consent tags and withdrawals).
//! - [`checkpoints`]: the gateway's audit checkpoints per device, persisted in a file.
//! - [`consent_session`]: one session's consent, and telling the device when the
//!   authority withdraws or narrows it.
//! - [`creds`]: deterministic demo credentials (CCS) and the gateway's device registry.
//! - [`sim`]: simulated patients (vitals and ECG).
//! - [`device`]: a simulated device (EDHOC initiator, consent frame, data frames, tamper mode).
//! - [`gateway`]: the gateway side of one connection (EDHOC responder, channel, consent
//!   evaluation per use, FHIR export).
//! - [`fhir`]: FHIR R4 `Observation` JSON.
//! - [`demo`]: the whole run and its summary; the `demo` binary is a thin wrapper.
//! - [`io`]: `embedded-io` over `std::net::TcpStream`.
//! - [`memory`]: memory per established session (`size_of` and the process's RSS).
//! - [`udp`]: the demo over UDP through a lossy shim (`--transport udp --loss P`).
//! - [`hello`]: what the `hello_device` / `hello_gateway` pair (the README's quick start)
//!   shares: provisioned files, the patient, the consent.
//! - [`provision`]: factory provisioning (device key, CCS, trust-store record); the
//!   `provision` binary is a thin wrapper.
//!
//! All protocol work is done by iomt-auth (EDHOC) and iomt-proto (channel, transport);
//! this crate only wires them to sockets, a simulator and a FHIR writer.

pub mod audit_store;
pub mod authority;
pub mod backend;
pub mod checkpoints;
pub mod consent_session;
pub mod creds;
pub mod demo;
pub mod device;
pub mod fhir;
pub mod gateway;
pub mod hello;
pub mod io;
pub mod memory;
pub mod provision;
pub mod sim;
pub mod udp;
