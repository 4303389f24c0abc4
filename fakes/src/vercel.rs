//! The fake Vercel REST API (being written).
