//! envctl's tag in a Vercel record's comment:
//! `[envctl sha256:<digest> at:<ms>]`, the SHA-256 of the value and the
//! time envctl wrote it (in Vercel's clock). If Vercel's `updatedAt` is
//! close to that time, the digest stands for the value; if the record was
//! updated later, someone changed it by hand. The user's own comment is
//! kept around the tag.

use regex::Regex;

use envctl_core::secret::Fingerprint;

fn tag_pattern() -> &'static Regex {
    static TAG: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    TAG.get_or_init(|| {
        Regex::new(r"\[envctl sha256:([0-9a-f]{64}) at:(\d{1,16})\]").expect("valid pattern")
    })
}

/// The digest and write time of envctl's tag in a comment.
pub(super) fn parse_tag(comment: &str) -> Option<(Fingerprint, i64)> {
    let caps = tag_pattern().captures(comment)?;
    Some((Fingerprint::from_hex(&caps[1])?, caps[2].parse().ok()?))
}

/// The comment without envctl's tag: the description, or the user's own
/// words.
pub(super) fn own_part(comment: &str) -> String {
    tag_pattern().replace_all(comment, "").trim().to_string()
}

/// `comment` (the user's own, or the declared description), with
/// envctl's tag replaced.
pub(super) fn with_tag(comment: &str, digest: &Fingerprint, at: i64) -> String {
    let own = tag_pattern().replace_all(comment, "");
    let own = own.trim();
    let tag = format!("[envctl sha256:{} at:{at}]", digest.hex());
    if own.is_empty() {
        tag
    } else {
        format!("{own} {tag}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tag_round_trips_and_keeps_the_users_comment() {
        let fp = Fingerprint::of("value");
        let c = with_tag("rotated by ops", &fp, 1_700_000_000_000);
        assert_eq!(parse_tag(&c), Some((fp.clone(), 1_700_000_000_000)));
        assert!(c.starts_with("rotated by ops ["), "{c}");
        let again = with_tag(&c, &Fingerprint::of("other"), 5);
        assert_eq!(again.matches("[envctl").count(), 1, "{again}");
        assert!(again.starts_with("rotated by ops"), "{again}");
        assert_eq!(parse_tag("no tag here"), None);
        assert_eq!(parse_tag("[envctl sha256:zz at:1]"), None);
        assert_eq!(own_part(&again), "rotated by ops");
        assert_eq!(own_part(&with_tag("", &fp, 5)), "");
    }
}
