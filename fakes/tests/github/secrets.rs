//! Secrets: sealed for the repository's or environment's key, opened by
//! the fake, never shown again.

use std::time::Duration;

use envctl_fakes::openapi::GITHUB;
use serde_json::json;

use super::*;

#[test]
fn a_sealed_secret_is_created_then_updated_and_never_read_back() {
    let server = start();
    let (key_id, key) = repo_key(&server);
    assert_eq!(STANDARD.decode(&key).unwrap().len(), 32, "an X25519 key");
    assert!(key_id.chars().all(|c| c.is_ascii_digit()), "{key_id}");
    let body = json!({ "encrypted_value": seal(&key, b"sk_live_CANARY"), "key_id": key_id });
    GITHUB
        .validate_request("actions/create-or-update-repo-secret", &body)
        .expect("the spec's request shape");
    let path = repo("/actions/secrets/stripe_key");
    let created = call(&server, "PUT", &path, Some(TOKEN), Some(&body));
    assert_eq!(expect(&server, &created, 201), json!({}));
    let fake = server.api();
    assert_eq!(
        fake.secret_plaintext(REPO, None, "STRIPE_KEY").as_deref(),
        Some("sk_live_CANARY"),
        "opened with the private key, kept under the upper-case name"
    );
    fake.advance_clock(Duration::from_secs(90));
    let body = json!({ "encrypted_value": seal(&key, b"sk_live_NEW"), "key_id": key_id });
    let updated = call(&server, "PUT", &path, Some(TOKEN), Some(&body));
    assert_eq!(expect(&server, &updated, 204), Value::Null);
    assert_eq!(
        fake.secret_plaintext(REPO, None, "stripe_key").as_deref(),
        Some("sk_live_NEW")
    );
    let one = expect(&server, &get(&server, &path), 200);
    assert_eq!(one["name"], "STRIPE_KEY");
    assert!(one.get("value").is_none(), "{one}");
    assert_ne!(one["created_at"], one["updated_at"], "the update is later");
    let list = expect(&server, &get(&server, &repo("/actions/secrets")), 200);
    assert_eq!(list["total_count"], 1);
    assert_eq!(list["secrets"][0], one);
    for reply in [&created, &updated] {
        assert!(!reply.text().contains("CANARY") && !reply.text().contains("NEW"));
    }
    assert!(!list.to_string().contains("sk_live"));
    let stored = &fake.secrets(REPO, None)["STRIPE_KEY"];
    assert_eq!(one["created_at"], stored.created_at.as_str());
    assert!(stored.created_at.ends_with('Z') && stored.created_at.len() == 20);
}

#[test]
fn delete_is_204_then_404() {
    let server = start();
    server
        .api()
        .set_secret_by_hand(REPO, None, "OLD_TOKEN", "x");
    let path = repo("/actions/secrets/OLD_TOKEN");
    let reply = call(&server, "DELETE", &path, Some(TOKEN), None);
    expect(&server, &reply, 204);
    assert!(server.api().secrets(REPO, None).is_empty());
    let again = call(&server, "DELETE", &path, Some(TOKEN), None);
    let body = expect(&server, &again, 404);
    assert_eq!(body["message"], "Not Found");
    assert_eq!(
        body["documentation_url"],
        "https://docs.github.com/rest/actions/secrets#delete-a-repository-secret"
    );
    expect(&server, &get(&server, &path), 404);
}

#[test]
fn environment_secrets_use_the_environments_own_key() {
    let server = start();
    let (repo_id, repo_pk) = repo_key(&server);
    let (env_id, env_pk) = env_key(&server);
    assert_ne!(repo_id, env_id);
    assert_ne!(repo_pk, env_pk);
    let path = env("/secrets/DB_URL");
    let wrong = json!({ "encrypted_value": seal(&repo_pk, b"postgres://x"), "key_id": repo_id });
    let reply = call(&server, "PUT", &path, Some(TOKEN), Some(&wrong));
    let body = expect(&server, &reply, 422);
    assert_eq!(
        body["message"],
        "Bad request - validation failed due to an improperly encrypted secret"
    );
    let right = json!({ "encrypted_value": seal(&env_pk, b"postgres://x"), "key_id": env_id });
    let reply = call(&server, "PUT", &path, Some(TOKEN), Some(&right));
    expect(&server, &reply, 201);
    let fake = server.api();
    assert_eq!(
        fake.secret_plaintext(REPO, Some(ENV), "DB_URL").as_deref(),
        Some("postgres://x")
    );
    assert_eq!(fake.secret_plaintext(REPO, None, "DB_URL"), None);
    let list = expect(&server, &get(&server, &env("/secrets")), 200);
    assert_eq!(list["secrets"][0]["name"], "DB_URL");
    let repo_list = expect(&server, &get(&server, &repo("/actions/secrets")), 200);
    assert_eq!(repo_list["total_count"], 0);
    let missing = format!("/repos/{REPO}/environments/staging/secrets");
    expect(&server, &get(&server, &missing), 404);
}

#[test]
fn a_box_for_a_rotated_key_is_refused() {
    let server = start();
    let (old_id, old_key) = repo_key(&server);
    server.api().rotate_public_key(REPO, None);
    let (new_id, new_key) = repo_key(&server);
    assert_ne!(old_id, new_id);
    assert_eq!(
        server.api().public_key(REPO, None),
        (new_id.clone(), new_key.clone())
    );
    let path = repo("/actions/secrets/API_KEY");
    let stale = json!({ "encrypted_value": seal(&old_key, b"v"), "key_id": old_id });
    expect(
        &server,
        &call(&server, "PUT", &path, Some(TOKEN), Some(&stale)),
        422,
    );
    // The new key's id with a box for the old key: still refused.
    let mixed = json!({ "encrypted_value": seal(&old_key, b"v"), "key_id": new_id });
    expect(
        &server,
        &call(&server, "PUT", &path, Some(TOKEN), Some(&mixed)),
        422,
    );
    let fresh = json!({ "encrypted_value": seal(&new_key, b"v"), "key_id": new_id });
    expect(
        &server,
        &call(&server, "PUT", &path, Some(TOKEN), Some(&fresh)),
        201,
    );
}

#[test]
fn bad_secret_writes_are_refused_in_githubs_words_and_change_nothing() {
    let server = start();
    let (key_id, key) = repo_key(&server);
    let path = repo("/actions/secrets/API_KEY");
    let put = |body: &str| {
        let headers = [
            ("Authorization", "Bearer ghp_envctl_classic_repo"),
            ("X-GitHub-Api-Version", "2022-11-28"),
        ];
        common::send(&server.url(), "PUT", &path, &headers, body.as_bytes())
    };
    let sealed = seal(&key, b"v");
    let cases = [
        (
            json!({ "encrypted_value": sealed }).to_string(),
            422,
            "Invalid request.\n\n\"key_id\" wasn't supplied.",
        ),
        (
            json!({ "key_id": key_id }).to_string(),
            422,
            "Invalid request.\n\n\"encrypted_value\" wasn't supplied.",
        ),
        (
            json!({ "encrypted_value": sealed, "key_id": 5 }).to_string(),
            422,
            "Invalid request.\n\nFor 'properties/key_id', 5 is not a string.",
        ),
        (
            json!({ "encrypted_value": "not-base64!", "key_id": key_id }).to_string(),
            422,
            "Invalid request.\n\nnot-base64! does not match /^(?:[A-Za-z0-9+\\/]{4})*(?:[A-Za-z0-9+\\/]{2}==|[A-Za-z0-9+\\/]{3}=|[A-Za-z0-9+\\/]{4})$/.",
        ),
        (
            json!({ "encrypted_value": "c2VjcmV0", "key_id": key_id }).to_string(),
            422,
            "Bad request - validation failed due to an improperly encrypted secret",
        ),
        ("{not json".to_string(), 400, "Problems parsing JSON"),
        (
            "[]".to_string(),
            422,
            "Invalid request.\n\n[] is not an object.",
        ),
    ];
    for (body, status, message) in cases {
        let reply = put(&body);
        let answer = expect(&server, &reply, status);
        assert_eq!(answer["message"], message, "{body}");
    }
    assert!(server.api().secrets(REPO, None).is_empty());
}

#[test]
fn secret_names_and_sizes_follow_githubs_limits() {
    let server = start();
    let (key_id, key) = repo_key(&server);
    let body = json!({ "encrypted_value": seal(&key, b"v"), "key_id": key_id });
    for name in ["1ST_KEY", "API-KEY", "GITHUB_TOKEN", "github_x", "A%20B"] {
        let reply = call(
            &server,
            "PUT",
            &repo(&format!("/actions/secrets/{name}")),
            Some(TOKEN),
            Some(&body),
        );
        let answer = expect(&server, &reply, 422);
        assert!(
            answer["message"]
                .as_str()
                .unwrap()
                .starts_with("Secret names"),
            "{name}: {answer}"
        );
    }
    let path = repo("/actions/secrets/_BIG");
    let limit = vec![b'x'; 48 * 1024];
    let at_limit = json!({ "encrypted_value": seal(&key, &limit), "key_id": key_id });
    expect(
        &server,
        &call(&server, "PUT", &path, Some(TOKEN), Some(&at_limit)),
        201,
    );
    let over = json!({ "encrypted_value": seal(&key, &[b'x'; 48 * 1024 + 1]), "key_id": key_id });
    let reply = call(&server, "PUT", &path, Some(TOKEN), Some(&over));
    let answer = expect(&server, &reply, 422);
    assert_eq!(answer["message"], "Validation Failed");
    assert_eq!(answer["errors"][0]["code"], "custom");
    assert_eq!(
        server
            .api()
            .secret_plaintext(REPO, None, "_BIG")
            .unwrap()
            .len(),
        48 * 1024,
        "the refused write changed nothing"
    );
}

#[test]
fn hand_edits_show_in_reads_with_a_later_time() {
    let server = start();
    let fake = server.api();
    fake.set_secret_by_hand(REPO, Some(ENV), "SESSION_KEY", "a");
    let before = fake.secrets(REPO, Some(ENV))["SESSION_KEY"].clone();
    fake.advance_clock(Duration::from_secs(3600));
    fake.set_secret_by_hand(REPO, Some(ENV), "session_key", "b");
    let after = &fake.secrets(REPO, Some(ENV))["SESSION_KEY"];
    assert_eq!(after.plaintext, "b");
    assert_eq!(after.created_at, before.created_at);
    assert!(after.updated_at > before.updated_at);
    let one = expect(&server, &get(&server, &env("/secrets/SESSION_KEY")), 200);
    assert_eq!(one["updated_at"], after.updated_at.as_str());
    assert!(
        fake.remove_secret_by_hand(REPO, Some(ENV), "SESSION_KEY")
            .is_some()
    );
    expect(&server, &get(&server, &env("/secrets/SESSION_KEY")), 404);
}
