//! Many edits of one file in one pass. [`Document::try_set`] and
//! [`Document::remove`] each parse the whole file again to check that no
//! other key reads differently, which is quadratic over a file's worth of
//! edits. [`Document::edit_all`] splices every edit into the text at once,
//! parses the result once and checks it the same way; where that is not
//! certain to give what the edits one by one would give, it changes nothing
//! and the caller makes them one by one.

use std::collections::{HashMap, HashSet};

use super::{Document, key_char, try_encode_value};

/// One edit: set a key to a value, or (`None`) remove every line of it.
pub type Edit<'a> = (&'a str, Option<&'a str>);

impl Document {
    /// Makes every edit, in one pass, and returns true; or returns false
    /// having changed nothing, for the caller to make them one by one (which
    /// says which edit is refused and why). The one-pass result is the text
    /// the edits one by one would give: values rewritten in place, removed
    /// lines dropped, new keys appended in order.
    pub fn edit_all(&mut self, edits: &[Edit<'_>]) -> bool {
        match self.spliced(edits) {
            Some((text, sets)) => match Document::parse(&text) {
                Ok(doc) if self.reads_as_intended(&doc, edits, &sets) => {
                    *self = doc;
                    true
                }
                _ => false,
            },
            None => false,
        }
    }

    /// The edited text and the keys whose value changes, or `None` where
    /// one pass might differ from edits one by one: a file without a final
    /// newline or with mixed line endings, a value with a carriage return,
    /// a key edited twice, or an edit the one-by-one path refuses.
    fn spliced<'e>(&self, edits: &[Edit<'e>]) -> Option<(String, HashSet<&'e str>)> {
        let text = &self.text;
        let plain = !text.contains('\r');
        let crlf = text.matches("\r\n").count();
        let crlf_only =
            crlf != 0 && [text.matches('\n').count(), text.matches('\r').count()] == [crlf; 2];
        if !(text.is_empty() || text.ends_with('\n')) || !(plain || crlf_only) {
            return None;
        }
        let eol = if plain { "\n" } else { "\r\n" };
        let mut seen = HashSet::with_capacity(edits.len());
        let (mut sets, mut removes) = (HashMap::new(), HashSet::new());
        let mut appended = String::new();
        for &(key, value) in edits {
            let valid = !key.is_empty() && key.chars().all(key_char) && key != "__proto__";
            if !valid || !seen.insert(key) {
                return None;
            }
            let Some(value) = value else {
                removes.insert(key);
                continue;
            };
            if value.contains('\r') {
                return None;
            }
            if self.get(key) == Some(value) && !self.has_expansion(key) {
                continue;
            }
            let encoded = try_encode_value(value).ok()?.replace('\n', eol);
            match self.last.contains_key(key) {
                true => _ = sets.insert(key, encoded),
                false => {
                    appended.push_str(&format!("{key}={encoded}{eol}"));
                    sets.insert(key, String::new());
                }
            }
        }
        let mut out = String::with_capacity(text.len() + appended.len());
        let mut at = 0;
        for (i, e) in self.entries.iter().enumerate() {
            if removes.contains(e.key.as_str()) {
                out.push_str(&text[at..e.lines.0]);
                at = e.lines.1;
            } else if let Some(encoded) = sets.get(e.key.as_str())
                && self.last.get(&e.key) == Some(&i)
            {
                out.push_str(&text[at..e.value.0]);
                out.push_str(encoded);
                at = e.value.1;
            }
        }
        out.push_str(&text[at..]);
        out.push_str(&appended);
        Some((out, sets.into_keys().collect()))
    }

    /// Whether `doc` reads every set key as its new value (no expansion),
    /// has no removed key left, and reads every other key exactly as before.
    fn reads_as_intended(&self, doc: &Document, edits: &[Edit<'_>], sets: &HashSet<&str>) -> bool {
        let edited: HashSet<&str> = edits.iter().map(|&(k, _)| k).collect();
        let intended = edits.iter().all(|&(key, value)| match value {
            None => doc.get(key).is_none(),
            Some(v) if sets.contains(key) => doc.get(key) == Some(v) && !doc.has_expansion(key),
            Some(_) => true,
        });
        // An unchanged key keeps its lines, so it still reads as it did.
        let unchanged = edits
            .iter()
            .filter(|&&(k, v)| v.is_some() && !sets.contains(k));
        intended
            && unchanged
                .into_iter()
                .all(|&(k, v)| doc.get(k) == v && !doc.has_expansion(k))
            && kept(self, &edited).eq(kept(doc, &edited))
    }
}

/// The entries of keys not edited, in file order.
fn kept<'d>(doc: &'d Document, edited: &HashSet<&str>) -> impl Iterator<Item = (&'d str, &'d str)> {
    let kept = doc
        .entries
        .iter()
        .filter(|e| !edited.contains(e.key.as_str()));
    kept.map(|e| (e.key.as_str(), e.raw.as_str()))
}

#[cfg(test)]
#[path = "batch_tests.rs"]
mod tests;
