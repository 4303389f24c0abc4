//! The Netlify provider over HTTP against the fake Netlify.
