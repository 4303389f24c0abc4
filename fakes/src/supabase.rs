//! The fake Supabase Management API (being written).
