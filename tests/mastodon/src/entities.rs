//! The JSON entities, shaped as docs.joinmastodon.org/entities describes them.

use serde_json::{Value, json};

use crate::state::{Account, Notification, State, Status};

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Every account here is local to the server, so Mastodon's `acct` is the bare username;
/// `with_domain` gives `username@host` instead, as mixed servers do in some places.
pub(crate) fn account(account: &Account, origin: &str, with_domain: bool) -> Value {
    let host = origin.trim_start_matches("http://");
    let acct = if with_domain {
        format!("{}@{host}", account.username)
    } else {
        account.username.clone()
    };
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
    json!({
        "id": status.id,
        "uri": format!("{origin}/users/{}/statuses/{}", author.username, status.id),
        "url": format!("{origin}/@{}/{}", author.username, status.id),
        "created_at": status.created_at.to_string(),
        "account": account(author, origin, state.profile.mixed_acct),
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
        "tags": [],
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
    })
}

pub(crate) fn notification(state: &State, n: &Notification, origin: &str) -> Value {
    json!({
        "id": n.id,
        "type": n.kind,
        "group_key": format!("ungrouped-{}", n.id),
        "created_at": n.created_at.to_string(),
        "account": account(&state.accounts[&n.account], origin, false),
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
pub(crate) fn scheduled_status(scheduled: &crate::state::Scheduled) -> Value {
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
