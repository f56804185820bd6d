//! Bluesky direct messages in Owed. A task beside the account's notification sync reads its
//! conversations through the PDS's chat proxy: the first read takes each conversation's
//! recent messages (a backlog, never announced), then the chat log from its cursor — new
//! messages, deletions, conversations left. A message to the account is an Inbox item (reason
//! `direct`, its conversation as the thread root); one of the account's own, from Earshot or
//! any app, answers everything before it in that conversation.
//!
//! An app password made without *Allow access to your direct messages* is refused by the
//! PDS: the task records the refusal in words for the account's view and stops, while
//! mentions keep syncing; signing in again starts it anew.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use specta::Type;

use earshot_core::{Account, Clock, InboxReason, IncomingPost, OwnPost, Person, PostRef};
use earshot_net::bluesky::{ChatMember, ChatMessage, LogEntry, XrpcError};
use earshot_store::{ChatPageIn, Store};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use super::session::BlueskySession;
use crate::earshot::on_store;
use crate::settings::lock;
use crate::supervisor::{TaskHandle, spawn_stoppable};
use crate::sync::{Backoff, retry_delay};
use crate::{EngineEvent, Error, Result};

/// How Inbox URIs name chat: `bsky-chat:<convo>` and `bsky-chat:<convo>/<message>`.
const SCHEME: &str = "bsky-chat:";
/// How far back the first read takes each conversation's messages.
const BACKLOG: jiff::SignedDuration = jiff::SignedDuration::from_hours(7 * 24);
const PAGE: u8 = 50;

pub(crate) fn convo_uri(convo: &str) -> String {
    format!("{SCHEME}{convo}")
}

pub(crate) fn message_uri(convo: &str, message: &str) -> String {
    format!("{SCHEME}{convo}/{message}")
}

/// The conversation (and message) an Inbox URI names, when it is chat.
pub(crate) fn chat_parts(uri: &str) -> Option<(&str, Option<&str>)> {
    let rest = uri.strip_prefix(SCHEME)?;
    Some(match rest.split_once('/') {
        Some((convo, message)) => (convo, Some(message)),
        None => (rest, None),
    })
}

/// How often direct messages are read, and whether opening one marks it read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase", default)]
pub struct ChatSettings {
    /// Seconds between reads while Earshot's window is open.
    pub poll_seconds_window_open: u32,
    /// Seconds between reads while Earshot waits in the tray.
    pub poll_seconds_in_tray: u32,
    /// Opening a message in Earshot marks its conversation read, as any chat app does.
    pub mark_read_when_opened: bool,
}

impl Default for ChatSettings {
    /// Every 10 s with the window open, every 30 s from the tray; opening marks read.
    fn default() -> Self {
        Self {
            poll_seconds_window_open: 10,
            poll_seconds_in_tray: 30,
            mark_read_when_opened: true,
        }
    }
}

/// When the chat task reads next: the person's cadence for the window's state, unless a test
/// fixed one.
#[derive(Debug, Clone)]
pub(crate) struct ChatCadence {
    pub settings: Arc<Mutex<ChatSettings>>,
    pub window_open: Arc<AtomicBool>,
    pub fixed: Option<Duration>,
}

impl ChatCadence {
    fn next(&self) -> Duration {
        if let Some(fixed) = self.fixed {
            return fixed;
        }
        let settings = *lock(&self.settings);
        let seconds = if self.window_open.load(Ordering::Relaxed) {
            settings.poll_seconds_window_open
        } else {
            settings.poll_seconds_in_tray
        };
        Duration::from_secs(u64::from(seconds.max(1)))
    }
}

pub(crate) struct ChatTask {
    pub account: Account,
    pub session: Arc<BlueskySession>,
    pub store: Arc<Store>,
    pub clock: Arc<dyn Clock>,
    pub events: broadcast::Sender<EngineEvent>,
    /// `did#service` for `atproto-proxy`.
    pub proxy: String,
    pub cadence: ChatCadence,
    /// Who is who in the account's conversations, from the conversation list.
    pub members: Mutex<HashMap<String, ChatMember>>,
}

impl ChatTask {
    pub(crate) fn spawn(self, runtime: &tokio::runtime::Handle) -> TaskHandle {
        spawn_stoppable(runtime, |cancel| async move { self.run(&cancel).await })
    }

    async fn run(self, cancel: &CancellationToken) {
        let mut backoff = Backoff::new(self.cadence.next(), Duration::from_secs(300));
        loop {
            let delay = match self.round().await {
                Ok(()) => {
                    backoff.reset();
                    self.cadence.next()
                }
                Err(Error::Network(XrpcError::ChatNotAllowed)) => {
                    self.refused(&XrpcError::ChatNotAllowed.to_string()).await;
                    return;
                }
                // The notification sync says so on the account; it starts again after a new
                // sign-in.
                Err(Error::SignInAgain { .. }) => return,
                Err(error) => {
                    tracing::info!(account = %self.account.id.0, %error, "chat: trying again");
                    retry_delay(&error, &mut backoff, self.clock.now())
                }
            };
            tokio::select! {
                () = cancel.cancelled() => return,
                () = tokio::time::sleep(delay) => {}
            }
        }
    }

    async fn round(&self) -> Result<()> {
        let account = self.account.id.clone();
        let state = on_store(&self.store, move |store| store.chat_state(&account)).await?;
        if state.refused.is_some() {
            // Reached only after a new sign-in restarted the task: try again, and say so if
            // the new session may read messages.
            let account = self.account.id.clone();
            on_store(&self.store, move |store| {
                store.set_chat_refused(&account, None)
            })
            .await?;
            self.tell(EngineEvent::AccountChanged {
                account: self.account.id.clone(),
            });
        }
        match state.log_cursor {
            None => self.first_read().await,
            Some(cursor) => self.read_log(cursor).await,
        }
    }

    /// Each conversation's recent messages, and the log's end to read on from.
    async fn first_read(&self) -> Result<()> {
        // The log's end first: what arrives while the conversations are read comes again
        // from the log, and is stored once (by URI).
        let mut end: Option<String> = None;
        loop {
            let page = self
                .session
                .call(|client, token| {
                    let (proxy, cursor) = (self.proxy.clone(), end.clone());
                    async move { client.get_log(&token, &proxy, cursor.as_deref()).await }
                })
                .await?;
            if page.items.is_empty() || page.cursor.is_none() || page.cursor == end {
                end = page.cursor.or(end);
                break;
            }
            end = page.cursor;
        }
        let oldest = self.clock.now() - BACKLOG;
        let mut incoming = Vec::new();
        let mut own = Vec::new();
        for status in ["accepted", "request"] {
            let mut cursor: Option<String> = None;
            loop {
                let page = self
                    .session
                    .call(|client, token| {
                        let (proxy, cursor) = (self.proxy.clone(), cursor.clone());
                        async move {
                            client
                                .list_convos(&token, &proxy, Some(status), cursor.as_deref(), 100)
                                .await
                        }
                    })
                    .await?;
                for convo in &page.items {
                    self.learn(&convo.members);
                    let recent = convo
                        .last_message
                        .as_ref()
                        .is_some_and(|message| message.sent_at >= oldest);
                    if !recent {
                        continue;
                    }
                    let messages = self
                        .session
                        .call(|client, token| {
                            let (proxy, id) = (self.proxy.clone(), convo.id.clone());
                            async move { client.get_messages(&token, &proxy, &id, None, PAGE).await }
                        })
                        .await?;
                    for message in messages.items.iter().filter(|m| m.sent_at >= oldest) {
                        self.sort(&convo.id, message, &mut incoming, &mut own);
                    }
                }
                match page.cursor {
                    Some(next) if !page.items.is_empty() => cursor = Some(next),
                    _ => break,
                }
            }
        }
        // A read that found nothing still needs a cursor to read on from.
        let cursor = end.unwrap_or_default();
        self.store_page(&incoming, &own, Some(cursor), true).await
    }

    /// What changed since `cursor`, page by page.
    async fn read_log(&self, mut cursor: String) -> Result<()> {
        loop {
            let page = self
                .session
                .call(|client, token| {
                    let (proxy, cursor) = (self.proxy.clone(), cursor.clone());
                    async move { client.get_log(&token, &proxy, Some(&cursor)).await }
                })
                .await?;
            if page.items.is_empty() {
                return Ok(());
            }
            let (mut incoming, mut own, mut gone, mut left) = (vec![], vec![], vec![], vec![]);
            for entry in &page.items {
                match entry {
                    LogEntry::CreateMessage { convo, message } => {
                        if !self.knows(&message.sender) {
                            self.refresh_members().await?;
                        }
                        self.sort(convo, message, &mut incoming, &mut own);
                    }
                    LogEntry::DeleteMessage { convo, message_id } => {
                        gone.push(message_uri(convo, message_id));
                    }
                    LogEntry::LeaveConvo { convo } => left.push(convo_uri(convo)),
                    LogEntry::BeginConvo { .. } => self.refresh_members().await?,
                    LogEntry::AcceptConvo { .. } | LogEntry::Other { .. } => {}
                }
            }
            let next = page.cursor.clone().unwrap_or_else(|| cursor.clone());
            self.store_page(&incoming, &own, Some(next.clone()), false)
                .await?;
            if !gone.is_empty() || !left.is_empty() {
                let account = self.account.id.clone();
                on_store(&self.store, move |store| {
                    let mut changed = store.forget_deleted(&account, &gone)?;
                    for convo in &left {
                        changed |= store.forget_conversation(&account, convo)? > 0;
                    }
                    Ok(changed)
                })
                .await?;
                self.tell(EngineEvent::InboxChanged {
                    account: self.account.id.clone(),
                });
            }
            if next == cursor {
                return Ok(());
            }
            cursor = next;
        }
    }

    /// A message to the account becomes an item; one of its own answers the conversation.
    fn sort(
        &self,
        convo: &str,
        message: &ChatMessage,
        incoming: &mut Vec<IncomingPost>,
        own: &mut Vec<(String, OwnPost)>,
    ) {
        // Deleted for the account: nothing to answer, nothing that answers.
        let Some(text) = &message.text else { return };
        let uri = message_uri(convo, &message.id);
        if message.sender == self.session.did() {
            own.push((
                convo_uri(convo),
                OwnPost {
                    uri,
                    // A message answers its whole conversation (see `store_chat_page`).
                    parent_uri: Some(convo_uri(convo)),
                    text: text.clone(),
                    created_at: message.sent_at,
                },
            ));
            return;
        }
        let member = lock(&self.members).get(&message.sender).cloned();
        incoming.push(IncomingPost {
            uri,
            cid: None,
            reason: InboxReason::Direct,
            author: Person {
                id: message.sender.clone(),
                handle: member
                    .as_ref()
                    .map_or_else(|| message.sender.clone(), |m| m.handle.clone()),
                display_name: member.and_then(|m| m.display_name),
            },
            text: text.clone(),
            facets: message.facets.as_ref().map(ToString::to_string),
            created_at: message.sent_at,
            indexed_at: message.sent_at,
            reply_root: Some(PostRef {
                uri: convo_uri(convo),
                cid: None,
            }),
            reply_parent: None,
            subject_uri: None,
            web_url: Some(format!("https://bsky.app/messages/{convo}")),
            language: None,
        });
    }

    async fn store_page(
        &self,
        incoming: &[IncomingPost],
        own: &[(String, OwnPost)],
        cursor: Option<String>,
        first_read: bool,
    ) -> Result<()> {
        let account = self.account.id.clone();
        let (incoming, own) = (incoming.to_vec(), own.to_vec());
        let changed = !incoming.is_empty() || !own.is_empty();
        on_store(&self.store, move |store| {
            store.store_chat_page(
                &account,
                ChatPageIn {
                    incoming: &incoming,
                    own: &own,
                    log_cursor: cursor.as_deref(),
                    first_read,
                },
            )
        })
        .await?;
        if changed {
            self.tell(EngineEvent::InboxChanged {
                account: self.account.id.clone(),
            });
        }
        Ok(())
    }

    fn learn(&self, members: &[ChatMember]) {
        let mut known = lock(&self.members);
        for member in members {
            known.insert(member.did.clone(), member.clone());
        }
    }

    fn knows(&self, did: &str) -> bool {
        did == self.session.did() || lock(&self.members).contains_key(did)
    }

    /// Learns the members of the newest conversations (one just begun among them).
    async fn refresh_members(&self) -> Result<()> {
        let page = self
            .session
            .call(|client, token| {
                let proxy = self.proxy.clone();
                async move { client.list_convos(&token, &proxy, None, None, 100).await }
            })
            .await?;
        for convo in &page.items {
            self.learn(&convo.members);
        }
        Ok(())
    }

    async fn refused(&self, words: &str) {
        tracing::info!(account = %self.account.id.0, "chat refused to this session");
        let (account, words) = (self.account.id.clone(), words.to_owned());
        let recorded = on_store(&self.store, move |store| {
            store.set_chat_refused(&account, Some(&words))
        })
        .await;
        if let Err(e) = recorded {
            tracing::warn!(error = %e, "could not record that chat is refused");
        }
        self.tell(EngineEvent::AccountChanged {
            account: self.account.id.clone(),
        });
    }

    fn tell(&self, event: EngineEvent) {
        let _ = self.events.send(event);
    }
}

/// What the conversation a chat item belongs to is called, for sending into it.
pub(crate) fn convo_of(uri: &str) -> Option<&str> {
    chat_parts(uri).map(|(convo, _)| convo)
}

impl crate::Earshot {
    /// The Bluesky conversation a direct message belongs to, and its account's session.
    async fn conversation_of(
        &self,
        item: earshot_core::InboxItemId,
    ) -> Result<(earshot_core::InboxItem, Arc<BlueskySession>, String)> {
        let item = self.item(item).await?;
        let convo = convo_of(&item.post.uri)
            .ok_or_else(|| Error::Invalid("This is not a Bluesky direct message.".into()))?
            .to_owned();
        match self.connection(&item.account_id)? {
            crate::earshot::Connection::Bluesky(session) => Ok((item, session, convo)),
            crate::earshot::Connection::Mastodon(_) => Err(Error::Invalid(
                "This is not a Bluesky direct message.".into(),
            )),
        }
    }

    /// Whether the person has yet to accept the conversation this message is in: someone
    /// wrote first. Earshot never accepts one behind their back (answering does accept it,
    /// as in every chat app).
    pub async fn is_message_request(&self, item: earshot_core::InboxItemId) -> Result<bool> {
        let (_, session, convo) = self.conversation_of(item).await?;
        let proxy = self.services.sync.chat_service.clone();
        let mut cursor: Option<String> = None;
        loop {
            let page = session
                .call(|client, token| {
                    let (proxy, cursor) = (proxy.clone(), cursor.clone());
                    async move {
                        client
                            .list_convos(&token, &proxy, Some("request"), cursor.as_deref(), 100)
                            .await
                    }
                })
                .await?;
            if page.items.iter().any(|c| c.id == convo) {
                return Ok(true);
            }
            match page.cursor {
                Some(next) if !page.items.is_empty() => cursor = Some(next),
                _ => return Ok(false),
            }
        }
    }

    /// Accepts the conversation a message request is in.
    pub async fn accept_message_request(&self, item: earshot_core::InboxItemId) -> Result<()> {
        let (_, session, convo) = self.conversation_of(item).await?;
        let proxy = self.services.sync.chat_service.clone();
        session
            .call(|client, token| {
                let (proxy, convo) = (proxy.clone(), convo.clone());
                async move { client.accept_convo(&token, &proxy, &convo).await }
            })
            .await
    }

    /// Declines a message request: leaves the conversation, and its messages leave Owed.
    pub async fn decline_message_request(&self, item: earshot_core::InboxItemId) -> Result<()> {
        let (item, session, convo) = self.conversation_of(item).await?;
        let proxy = self.services.sync.chat_service.clone();
        session
            .call(|client, token| {
                let (proxy, convo) = (proxy.clone(), convo.clone());
                async move { client.leave_convo(&token, &proxy, &convo).await }
            })
            .await?;
        let account = item.account_id.clone();
        self.with_store(move |store| store.forget_conversation(&account, &convo_uri(&convo)))
            .await?;
        self.emit(EngineEvent::InboxChanged {
            account: item.account_id,
        });
        Ok(())
    }
}

impl crate::Earshot {
    pub fn chat_settings(&self) -> ChatSettings {
        *lock(&self.chat_settings)
    }

    /// Saves how often direct messages are read (5 s to 10 min) and whether opening one
    /// marks it read.
    pub async fn save_chat_settings(&self, settings: ChatSettings) -> Result<()> {
        let allowed = 5..=600;
        if !allowed.contains(&settings.poll_seconds_window_open)
            || !allowed.contains(&settings.poll_seconds_in_tray)
        {
            return Err(Error::Invalid(
                "Messages are read every 5 seconds at the most and every 10 minutes at the least."
                    .into(),
            ));
        }
        self.save_setting(crate::settings::CHAT, &settings).await?;
        *lock(&self.chat_settings) = settings;
        Ok(())
    }

    /// The shell says whether the window is open: messages are read more often then.
    pub fn set_window_open(&self, open: bool) {
        self.window_open.store(open, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_uris_name_their_conversation_and_message() {
        let uri = message_uri("3kconvo", "3kmsg");
        assert_eq!(uri, "bsky-chat:3kconvo/3kmsg");
        assert_eq!(chat_parts(&uri), Some(("3kconvo", Some("3kmsg"))));
        assert_eq!(chat_parts(&convo_uri("3kconvo")), Some(("3kconvo", None)));
        assert_eq!(chat_parts("at://did:plc:x/app.bsky.feed.post/1"), None);
        assert_eq!(convo_of(&uri), Some("3kconvo"));
    }

    #[test]
    fn messages_are_read_more_often_with_the_window_open() {
        let cadence = ChatCadence {
            settings: Arc::new(Mutex::new(ChatSettings::default())),
            window_open: Arc::new(AtomicBool::new(false)),
            fixed: None,
        };
        assert_eq!(cadence.next(), Duration::from_secs(30), "from the tray");
        cadence.window_open.store(true, Ordering::Relaxed);
        assert_eq!(cadence.next(), Duration::from_secs(10), "window open");
        let fixed = ChatCadence {
            fixed: Some(Duration::from_millis(500)),
            ..cadence
        };
        assert_eq!(
            fixed.next(),
            Duration::from_millis(500),
            "a test's own pace"
        );
    }
}
