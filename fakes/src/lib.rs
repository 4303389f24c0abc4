//! Stateful fakes of the platform APIs envctl talks to, served over real
//! HTTP on `127.0.0.1:0`. Each fake follows the platform's documented
//! behaviour (see `shared/reference/platform-apis.md` in the project's
//! design notes): shapes, status codes, empty bodies, rate limits, errors.
//!
//! [`server`] is the plumbing every fake shares: the listener, the request
//! log tests count, and fault injection (latency, 429 bursts, 500s, dropped
//! connections, responses slower than the client's timeout, and a 400 that
//! echoes the request's body).

pub mod server;

pub use server::{Api, Faults, Logged, Request, Response, Server};
pub mod cloudflare;
pub mod github;
pub mod netlify;
pub mod openapi;
pub mod supabase;
pub mod vercel;
