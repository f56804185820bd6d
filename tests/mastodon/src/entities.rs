//! The JSON entities, shaped as docs.joinmastodon.org/entities describes them.

use serde_json::{Value, json};

use crate::state::{Account, Notification, Software, State, Status};

/// A time as the server writes it: GoToSocial gives whole seconds for accounts and
/// notifications (`…:08.000Z`), milliseconds for statuses.
pub(crate) fn time(state: &State, at: jiff::Timestamp, whole_seconds: bool) -> String {
    match state.profile.software {
        Software::GoToSocial => {
            let at = if whole_seconds {
                jiff::Timestamp::from_second(at.as_second()).unwrap_or(at)
            } else {
                jiff::Timestamp::from_millisecond(at.as_millisecond()).unwrap_or(at)
            };
            format!("{at:.3}")
        }
        _ => at.to_string(),
    }
}

/// An error body in the server's words: Mastodon's `{"error": "Record not found"}`,
/// GoToSocial's status-prefixed texts ("Not Found: target status not found").
pub(crate) fn error_body(state: &State, mastodon: &str, gotosocial: &str) -> Value {
    match state.profile.software {
        Software::GoToSocial => json!({ "error": gotosocial }),
        _ => json!({ "error": mastodon }),
    }
}
fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Every account here is local to the server, so Mastodon's `acct` is the bare username;
/// `with_domain` gives `username@host` instead, as mixed servers do in some places.
pub(crate) fn account(state: &State, account: &Account, origin: &str, with_domain: bool) -> Value {
    let host = origin.trim_start_matches("http://");
    let acct = if with_domain {
        format!("{}@{host}", account.username)
    } else {
        account.username.clone()
    };
    if state.profile.software == Software::GoToSocial {
        let statuses = state
            .statuses
            .values()
            .filter(|s| s.account == account.id)
            .count();
        return json!({
            "id": account.id,
            "username": account.username,
            "acct": acct,
            "display_name": account.display_name,
            // New GoToSocial accounts are locked and not discoverable.
            "locked": true,
            "discoverable": false,
            "bot": false,
            "created_at": time(state, account.created_at, true),
            "note": "",
            "url": format!("{origin}/@{}", account.username),
            "avatar": format!("{origin}/assets/default_avatars/GoToSocial_icon1.webp"),
            "avatar_static": format!("{origin}/assets/default_avatars/GoToSocial_icon1.webp"),
            "avatar_description": "Grayed-out line drawing of a cute sloth (default avatar).",
            "header": format!("{origin}/assets/default_header.webp"),
            "header_static": format!("{origin}/assets/default_header.webp"),
            "header_description": "Flat gray background (default header).",
            "followers_count": 0,
            "following_count": 0,
            "statuses_count": statuses,
            "last_status_at": (statuses > 0).then(|| jiff::Zoned::now().date().to_string()),
            "emojis": [],
            "fields": [],
            "group": false,
        });
    }
    json!({
        "id": account.id,
        "username": account.username,
        "acct": acct,
        "display_name": account.display_name,
        "locked": false,
        "bot": false,
        "discoverable": true,
        "group": false,
        "created_at": account.created_at.to_string(),
        "note": "",
        "url": format!("{origin}/@{}", account.username),
        "uri": format!("{origin}/users/{}", account.username),
        "avatar": format!("{origin}/avatars/original/missing.png"),
        "avatar_static": format!("{origin}/avatars/original/missing.png"),
        "header": format!("{origin}/headers/original/missing.png"),
        "header_static": format!("{origin}/headers/original/missing.png"),
        "followers_count": 0,
        "following_count": 0,
        "statuses_count": 0,
        "last_status_at": null,
        "emojis": [],
        "fields": [],
    })
}

/// A status's HTML `content` as Mastodon renders it: paragraphs, and mentions as `h-card`
/// links. The text is escaped, except that whatever follows `raw_html:` passes through as
/// written (for sanitiser tests: `@alice raw_html:<script>…`).
fn content(state: &State, status: &Status, origin: &str) -> String {
    if let Some((_, raw)) = status.text.split_once("raw_html:") {
        return raw.to_owned();
    }
    if state.profile.software == Software::GoToSocial {
        return gotosocial_content(state, status, origin);
    }
    let mut html = String::new();
    for word in status.text.split(' ') {
        if !html.is_empty() {
            html.push(' ');
        }
        let mentioned = word
            .strip_prefix('@')
            .and_then(|handle| state.account_by_username(handle.split('@').next().unwrap_or("")));
        match mentioned {
            Some(account) => html.push_str(&format!(
                "<span class=\"h-card\" translate=\"no\"><a href=\"{origin}/@{0}\" \
                 class=\"u-url mention\">@<span>{0}</span></a></span>",
                account.username
            )),
            None => html.push_str(&html_escape(word)),
        }
    }
    format!("<p>{html}</p>")
}

/// Content as GoToSocial renders it (recorded in `fixtures/gotosocial/04-bob-post-*.json`):
/// runs of spaces collapsed, `<` escaped but `>` left, mentions with `rel` and `target`,
/// links as plain anchors showing the whole URL, hashtags linked in lower case.
fn gotosocial_content(state: &State, status: &Status, origin: &str) -> String {
    let escape = |text: &str| text.replace('&', "&amp;").replace('<', "&lt;");
    let words: Vec<String> = status
        .text
        .split_whitespace()
        .map(|word| {
            let mentioned = word.strip_prefix('@').and_then(|handle| {
                state.account_by_username(handle.split('@').next().unwrap_or(""))
            });
            if let Some(account) = mentioned {
                format!(
                    "<span class=\"h-card\"><a href=\"{origin}/@{0}\" class=\"u-url mention\" \
                     rel=\"nofollow noreferrer noopener\" target=\"_blank\">@<span>{0}</span></a></span>",
                    account.username
                )
            } else if word.starts_with("https://") || word.starts_with("http://") {
                let url = escape(word);
                format!("<a href=\"{url}\" rel=\"nofollow noreferrer noopener\" target=\"_blank\">{url}</a>")
            } else if let Some(tag) = word.strip_prefix('#').filter(|t| !t.is_empty()) {
                format!(
                    "<a href=\"{origin}/tags/{}\" class=\"mention hashtag\" \
                     rel=\"tag nofollow noreferrer noopener\" target=\"_blank\">#<span>{}</span></a>",
                    tag.to_lowercase(),
                    escape(tag)
                )
            } else {
                escape(word)
            }
        })
        .collect();
    format!("<p>{}</p>", words.join(" "))
}

pub(crate) fn status(state: &State, status: &Status, viewer: Option<&str>, origin: &str) -> Value {
    let author = &state.accounts[&status.account];
    let host = origin.trim_start_matches("http://");
    let mentions: Vec<Value> = status
        .mentions
        .iter()
        .filter_map(|id| state.accounts.get(id))
        .map(|a| {
            json!({
                "id": a.id,
                "username": a.username,
                "url": format!("{origin}/@{}", a.username),
                "acct": if state.profile.mixed_acct { format!("{}@{host}", a.username) } else { a.username.clone() },
            })
        })
        .collect();
    let in_reply_to_account = status
        .in_reply_to
        .as_ref()
        .and_then(|parent| state.statuses.get(parent))
        .map(|parent| parent.account.clone());
    let replies = state
        .statuses
        .values()
        .filter(|s| s.in_reply_to.as_deref() == Some(status.id.as_str()))
        .count();
    let mut entity = json!({
        "id": status.id,
        "uri": format!("{origin}/users/{}/statuses/{}", author.username, status.id),
        "url": state.url_overrides.get(&status.id).cloned()
            .unwrap_or_else(|| format!("{origin}/@{}/{}", author.username, status.id)),
        "created_at": time(state, status.created_at, false),
        "account": account(state, author, origin, state.profile.mixed_acct),
        "content": content(state, status, origin),
        "visibility": status.visibility,
        "sensitive": !status.spoiler_text.is_empty(),
        "spoiler_text": status.spoiler_text,
        "media_attachments": status
            .media
            .iter()
            .filter_map(|id| state.media.get(id))
            .map(|media| attachment(media, origin))
            .collect::<Vec<_>>(),
        "application": null,
        "mentions": mentions,
        "tags": status
            .tags()
            .iter()
            .map(|tag| json!({ "name": tag, "url": format!("{origin}/tags/{tag}") }))
            .collect::<Vec<_>>(),
        "emojis": [],
        "reblogs_count": status.reblogged_by.len(),
        "favourites_count": status.favourited_by.len(),
        "replies_count": replies,
        "in_reply_to_id": status.in_reply_to,
        "in_reply_to_account_id": in_reply_to_account,
        "reblog": null,
        "poll": null,
        "card": null,
        "language": status.language,
        "text": null,
        "edited_at": null,
        "favourited": viewer.is_some_and(|v| status.favourited_by.contains(v)),
        "reblogged": viewer.is_some_and(|v| status.reblogged_by.contains(v)),
        "muted": false,
        "bookmarked": false,
    });
    if state.profile.knows_quotes {
        // Mastodon 4.5: a Quote with the quoted status; a quote inside that one is shallow.
        entity["quote"] = match status.quote.as_ref().and_then(|id| state.statuses.get(id)) {
            Some(quoted) => {
                let mut inner = self::status(state, quoted, viewer, origin);
                if let Some(deeper) = &quoted.quote {
                    inner["quote"] = json!({ "state": "accepted", "quoted_status_id": deeper });
                }
                json!({ "state": "accepted", "quoted_status": inner })
            }
            None => Value::Null,
        };
    }
    if state.profile.software == Software::GoToSocial {
        // The source text on every status, its type, who may interact, a named application.
        let anyone = json!({
            "automatic_approval": ["public", "me"],
            "manual_approval": [],
            "always": ["public", "me"],
            "with_approval": [],
        });
        if !state.url_overrides.contains_key(&status.id) {
            entity["url"] = format!("{origin}/@{}/statuses/{}", author.username, status.id).into();
        }
        entity["text"] = status.text.clone().into();
        entity["content_type"] = "text/plain".into();
        entity["pinned"] = false.into();
        entity["application"] = json!({ "name": "test" });
        entity["language"] = status
            .language
            .clone()
            .unwrap_or_else(|| "en".into())
            .into();
        entity["interaction_policy"] = json!({
            "can_favourite": anyone,
            "can_reply": anyone,
            "can_reblog": anyone,
        });
    }
    entity
}

pub(crate) fn notification(state: &State, n: &Notification, origin: &str) -> Value {
    if n.status
        .as_ref()
        .is_some_and(|id| state.garbled.contains(id))
    {
        return json!({ "id": n.id, "type": n.kind, "account": null });
    }
    if state.profile.software == Software::GoToSocial {
        // No `group_key`; whole-second times.
        // No `status` key at all for a notification without one (a follow request).
        let mut entity = json!({
            "id": n.id,
            "type": n.kind,
            "created_at": time(state, n.created_at, true),
            "account": account(state, &state.accounts[&n.account], origin, false),
        });
        if let Some(subject) = n.status.as_ref().and_then(|id| state.statuses.get(id)) {
            entity["status"] = status(state, subject, Some(&n.recipient), origin);
        }
        return entity;
    }
    json!({
        "id": n.id,
        "type": n.kind,
        "group_key": format!("ungrouped-{}", n.id),
        "created_at": n.created_at.to_string(),
        "account": account(state, &state.accounts[&n.account], origin, false),
        "status": n.status.as_ref().and_then(|id| state.statuses.get(id))
            .map(|s| status(state, s, Some(&n.recipient), origin)),
    })
}

/// A MediaAttachment entity, as the API documentation's example shows an image.
pub(crate) fn attachment(media: &crate::state::Media, origin: &str) -> Value {
    json!({
        "id": media.id,
        "type": "image",
        "url": format!("{origin}/system/media_attachments/files/{}/original/image", media.id),
        "preview_url": format!("{origin}/system/media_attachments/files/{}/small/image", media.id),
        "remote_url": null,
        "text_url": null,
        "meta": { "original": { "size": media.size.to_string() } },
        "description": media.description,
        "blurhash": "UFBWY:8_0Jxv4mx]t8t64.%M-:IUWGWAt6M}",
    })
}

/// A ScheduledStatus entity, after the API documentation's example.
pub(crate) fn scheduled_status(state: &State, scheduled: &crate::state::Scheduled) -> Value {
    if state.profile.software == Software::GoToSocial {
        // Null and empty params left out; the language as "" when unset; the application's
        // id as a string.
        let mut params = json!({
            "text": scheduled.text,
            "visibility": scheduled.visibility,
            "language": scheduled.language.clone().unwrap_or_default(),
            "application_id": "01TESTAPPLICATION000000000",
            "scheduled_at": null,
        });
        if let Some(parent) = &scheduled.in_reply_to {
            params["in_reply_to_id"] = parent.clone().into();
        }
        if !scheduled.spoiler_text.is_empty() {
            params["spoiler_text"] = scheduled.spoiler_text.clone().into();
            params["sensitive"] = true.into();
        }
        if !scheduled.media.is_empty() {
            params["media_ids"] = json!(scheduled.media);
        }
        return json!({
            "id": scheduled.id,
            "scheduled_at": time(state, scheduled.scheduled_at, true),
            "params": params,
            "media_attachments": [],
        });
    }
    json!({
        "id": scheduled.id,
        "scheduled_at": scheduled.scheduled_at.to_string(),
        "params": {
            "text": scheduled.text,
            "poll": null,
            "media_ids": if scheduled.media.is_empty() { Value::Null } else { json!(scheduled.media) },
            "sensitive": !scheduled.spoiler_text.is_empty(),
            "spoiler_text": scheduled.spoiler_text,
            "visibility": scheduled.visibility,
            "scheduled_at": null,
            "language": scheduled.language,
            "in_reply_to_id": scheduled.in_reply_to,
            "application_id": 1,
            "idempotency": null,
            "with_rate_limit": false,
        },
        "media_attachments": [],
    })
}
